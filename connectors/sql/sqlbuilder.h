#pragma once

#include "layouts/profile.h"
#include "sql/sqldialect.h"
#include "store/eventstore.h"

#include <QString>
#include <QStringList>
#include <QVariant>

#include <functional>
#include <optional>

namespace es {

// WHERE terms and their bound values in text order. Terms mark parameters with SqlBuilder::param().
struct SqlWhere {
    QStringList terms;
    QVariantList values;
    void add(const QString& term, const QVariantList& bound = {})
    {
        terms.append(term);
        values.append(bound);
    }
    QString sql() const
    {
        return terms.isEmpty() ? QString() : QLatin1String(" WHERE ") + terms.join(QLatin1String(" AND "));
    }
};

struct SqlStatement {
    QString sql; // parameters marked with SqlBuilder::param(); render() turns them into the dialect's form
    QVariantList values;
};

// Which of selectEvent()'s columns a reader wants; the others are NULL, which spares the database their work.
struct EventColumns {
    bool ids = true; // id, correlation, causation (without them metadata-is-json is never packed)
    bool metadata = true; // metadata and metadata-is-json
    // data-is-json and metadata-is-json (false: NULL, the reader decides from the bytes; use with ids false, as a
    // packed metadata-is-json carries the ids)
    bool jsonChecks = true;
};

// How PostgreSQL reads one expression of the layout (from pg_typeof at open).
enum class SqlValueKind { Unknown, Json, Text, Bytes, Timestamp, Number };

// The query logic shared by every SQL engine: the SQL for each read of the EventStore interface, from a resolved
// profile, spelled as the engine's SqlDialectSpec says. Engines only run the statements and read rows (column order
// documented at each function).
class SqlBuilder {
public:
    struct Kinds {
        SqlValueKind time = SqlValueKind::Unknown;
        SqlValueKind data = SqlValueKind::Unknown;
        SqlValueKind metadata = SqlValueKind::Unknown;
        bool cCollation = true; // text ranges may stand for prefixes (byte order)
    };

    SqlBuilder(const Profile& profile, SqlDialect dialect, const Kinds& kinds);
    SqlBuilder(const Profile& profile, SqlDialect dialect);

    // The parameter marker; a private-use character no profile expression contains.
    static QString param() { return QString(QChar(0xE000)); }
    // Replaces the markers with ? (SQLite) or $1, $2... (PostgreSQL).
    static QString render(const QString& sql, SqlDialect dialect);
    // Exclusive upper bound of the strings starting with prefix; empty when there is none.
    static QString prefixUpperBound(const QString& prefix);
    static QString paren(const QString& expr) { return u'(' + expr + u')'; }
    static QString literal(const QString& text);

    const Profile& profile() const { return m_profile; }
    SqlDialect dialect() const { return m_spec.id; }
    const SqlDialectSpec& spec() const { return m_spec; }
    const Kinds& kinds() const { return m_kinds; }
    bool streamsFromTable() const { return m_streamsFromTable; }
    QString streamCategory() const { return m_streamCategory; }
    QString categoryOf(const QString& column) const;
    QString keyExpr(const EventFilter& filter) const;
    // An expression on the events row as one value per stream in a query grouped by the stream (the rows of one
    // stream agree on it, but SQL cannot know that when it reads other columns than the stream's).
    QString perStream(const QString& expr) const;
    // An expression as text: compared and returned as text by the engine.
    QString asText(const QString& expr) const;
    // The time column as events carry it (NULL when the layout keeps none).
    QString timeText() const;
    // The latest time of a group of events, as text (NULL when the layout keeps none).
    QString lastTimeOfGroup() const;
    QStringList notes() const;

    // Columns: position, stream, version, type, time, id, data, data-is-json, metadata, metadata-is-json,
    // correlation, causation. When packedMetadata(), metadata-is-json is instead NULL for metadata that is not
    // JSON, else a JSON array of the values of correlationKeys then causationKeys (null where absent), and the
    // correlation and causation columns are NULL.
    QString selectEvent() const { return m_selectEvent; }
    // The same columns, those not wanted NULL.
    QString selectEvent(const EventColumns& columns) const;
    bool packedMetadata() const { return m_packedMetadata; }
    // Statements that compile every expression and return no rows.
    std::vector<QString> probes() const;

    // indexStream: let the planner reach a category through the stream index.
    SqlWhere baseWhere(const EventFilter& filter, bool indexStream) const;

    // One column: the first (or last) key of the filter's stream or of the whole log.
    SqlStatement edgeKey(const EventFilter& filter, bool last) const;
    // selectEvent(columns) columns; the limit asks for one row more than wanted.
    SqlStatement eventsPage(const EventQuery& query, bool indexStream, std::optional<qint64> windowEdge,
        const EventColumns& columns = {}) const;
    // Columns: count, min key, max key; only keys above afterKey when it is >= 0.
    SqlStatement scopeStats(const EventFilter& filter, bool indexStream, qint64 afterKey) const;
    // One column: every key in order, above afterKey when it is >= 0.
    SqlStatement keys(const EventFilter& filter, bool indexStream, qint64 afterKey) const;
    // Columns: count, min version, max version of one stream.
    SqlStatement streamCounts(const QString& name) const;
    // One column: the time of the first (or last) event of a stream.
    SqlStatement streamTime(const QString& name, bool last) const;
    // One column: the category of a stream, read from its last event.
    SqlStatement streamCategoryOf(const QString& name) const;
    // Columns: name, version, category[, count, min version, last time, last position when streamsGrouped()].
    SqlStatement streams(const StreamQuery& query) const;
    // Whether streams(query) groups the events table (no streams table, or an order only the events can give).
    bool streamsGrouped(const StreamQuery& query) const;
    // Columns: name, streams, events (-1 when unknown), last time, last position (NULL from a streams table).
    SqlStatement categories() const;
    // Columns: position, time of the first (or last) event.
    SqlStatement logEdge(bool last) const;
    // Columns: streams, events (from the streams table).
    SqlStatement streamTableCounts() const;
    // Columns: events, streams.
    SqlStatement logCounts() const;
    // Columns: events in a category (from the streams table), then the whole log's events.
    SqlStatement categoryEvents(const QString& category) const;
    SqlStatement totalEvents() const;

    // One page of events with the scan window applied: `edge(last)` runs edgeKey, `fetch` runs eventsPage.
    EventPage readPage(const EventQuery& query, bool indexStream,
        const std::function<std::optional<qint64>(const SqlStatement&)>& edge,
        const std::function<EventList(const SqlStatement&)>& fetch) const;

private:
    QString timeBound(const QDateTime& t, const char* op, SqlWhere& w) const;
    void addJsonCondition(const JsonCondition& c, SqlWhere& w) const;
    void addJsonbCondition(const JsonCondition& c, const QString& column, SqlWhere& w) const;
    void addSqliteJsonCondition(const JsonCondition& c, const QString& column, SqlWhere& w) const;
    QString textContains(const QString& column, SqlValueKind kind) const;
    QString prefixTerm(const QString& column, const QString& prefix, SqlWhere& w) const;

    Profile m_profile;
    const SqlDialectSpec& m_spec;
    Kinds m_kinds;
    bool m_bytewise = true; // text ranges may stand for prefixes
    bool m_streamsFromTable = false;
    bool m_packedMetadata = false;
    QString m_selectEvent;
    QStringList m_eventColumns;
    QString m_metadataIsJson; // metadata-is-json when not packed
    QString m_streamCategory;
};

} // namespace es
