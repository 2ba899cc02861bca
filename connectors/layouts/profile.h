#pragma once

#include "core/eventlinks.h"

#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace es {

// A store layout described as data (see connectors/PROFILES.md). Expressions are SQL fragments trusted as
// data; `{alias}` placeholders name tables found by detection and are replaced by quoted table names.
struct Profile {
    struct Table {
        QString alias; // used as {alias} in expressions
        QStringList names; // exact names or globs with '*', tried in order
        QStringList columns; // required columns
        bool optional = false;
        // Every table that fits, not the first: {alias} reads as the UNION ALL of them, each row carrying its
        // table's name as es_table (layouts with one table per stream, e.g. prooph).
        bool each = false;
    };
    struct Events {
        QString table; // e.g. "{messages}"
        QString position; // global order; must be indexed (ideally the rowid)
        QString stream;
        QString version;
        qint64 firstVersion = 0; // version of the first event of a stream
        QString type;
        QString time; // empty when the layout keeps none
        QString timeFormat = QStringLiteral("iso"); // "iso" (ISO 8601 text or epoch numbers) or "none"
        QString timeFilter = QStringLiteral("julianday"); // "text", "julianday", "epoch_s", "epoch_ms", "timestamp"
        QString timeTextFormat = QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"); // QDateTime format for "text"
        QString id;
        QString data;
        QString metadata;
        QString where; // rows to show (e.g. hides archived rows and commands)
    };
    struct Category {
        QString separator = QStringLiteral("-"); // category = part before the first separator
        QString expression; // or an SQL expression on the events row
    };
    struct Streams {
        QString table; // empty: no streams table, streams come from GROUP BY on the events table
        QString name;
        QString version;
        QString where;
        bool versionIsCount = false; // last version - firstVersion + 1 is the number of events
    };
    struct Checkpoint {
        QString table;
        QString name;
        QString position; // SQL expression giving a global position
        QString format; // how the stored value reads, for display
        QString where;
        QString raw; // the stored value as text; empty = the position expression. NULL = nothing processed yet
        QString partition; // partition / tenant / segment: rows per name and partition
        QString category; // the category the consumer reads (lag counted within it); empty = the global log
        QString stream; // or the one stream it reads (positions are then stream versions)
    };

    // How a live tail reads without skipping a late commit (PostgreSQL; SQLite serialises its writers).
    struct Tail {
        // "settled": positions may commit out of order, hold a settled head (the default);
        // "commit": positions become visible in commit order in every scope (e.g. Commanded's $all);
        // "category": in commit order within one category (Message DB's per-category lock), settled for the log;
        // "transaction": rows carry their writer's transaction id: read in (transaction, position) order below the
        // oldest transaction still open (Emmett).
        QString order = QStringLiteral("settled");
        QString transaction; // "transaction": the xid8 of the writing transaction (an expression on the events row)
        QString label; // what the order rests on, shown in the strategy's name (e.g. "$all")
        // Stream scopes: "version" (a stream's next version is written only after the previous one committed) or
        // "settled" (versions from a sequence that commit out of order, e.g. Rails Event Store's link ids).
        QString streams = QStringLiteral("version");
        // Sequences the writers take positions from that are not tied to the events table (a column default,
        // serial or identity); resolved() qualifies them with the schema. Their holders can still commit positions.
        QStringList sequences;
        // Set by resolved(): the quoted tables of events.table, the ones a writer of events locks.
        QStringList tables;
    };

    QString name;
    QString title;
    QString variant; // which releases this variant describes; empty for the base layout
    QStringList sources; // where the layout was read from
    QStringList engines;
    QStringList notes;
    // PostgreSQL schemas where the layout's tables usually live (shown to people; engines search every schema and
    // OpenOptions::schema restricts them to one).
    QStringList schemas;
    std::vector<Table> tables;
    Events events;
    Category category;
    // "correlation": top-level metadata keys, tried in order; what a causation value names; where ids repeat.
    QStringList correlationKeys;
    QStringList causationKeys;
    EventLinks::CausationTarget causationTarget = EventLinks::CausationTarget::EventId;
    QStringList idKeys;
    // "correlation.columns": SQL expressions on the events row holding the same correlation id / causation reference
    // as the metadata keys, for lookups an index on them can serve. Optional columns: the engines use them only
    // where the store has them (Marten's correlation_id and causation_id are opt-in).
    QString correlationColumn;
    QString causationColumn;
    Streams streams;
    std::vector<Checkpoint> checkpoints; // each applies when its table was found
    Tail tail;
    QString origin; // resource or file it was loaded from
    // Older or newer releases whose tables differ ("variants": each merged over the base); detection takes the best
    // fitting of the base and its variants. A variant has no variants of its own.
    std::vector<Profile> variants;

    // Builds the profile for one engine: the engine sub-object (e.g. "sqlite") is merged over the base.
    // Throws StoreError with a message naming the offending key.
    static Profile fromJson(const QJsonObject& object, const QString& engine, const QString& origin = {});
    // One profile object, engine override and variants already merged.
    static Profile parse(const QJsonObject& merged, const QString& label, const QString& origin);
    // Loads a profile (or user mapping) file. Throws StoreError(BadAddress) when it cannot be read or is invalid.
    static Profile load(const QString& path, const QString& engine);

    bool supports(const QString& engine) const { return engines.isEmpty() || engines.contains(engine); }
    // The links as the model sees them (StoreInfo::links).
    EventLinks links() const;
    // Replaces {alias} with the quoted table names found, in every expression; with a schema, {alias} becomes
    // "schema"."table" and {schema} the quoted schema. An alias of an "each" table lists every table found, joined
    // by '\n'; it becomes the UNION ALL of them. The result has no variants.
    Profile resolved(const QHash<QString, QString>& tableNames, const QString& schema = {}) const;
};

// The profiles compiled into the program (connectors/profiles/*.json, resource :/profiles/).
class ProfileRegistry {
public:
    struct Entry {
        QString name;
        QString title;
        QStringList engines;
    };
    static QStringList names();
    static std::vector<Entry> entries();
    // Built-in profile by name for an engine; nullopt when there is none.
    static std::optional<Profile> find(const QString& name, const QString& engine);
    // Every built-in profile that supports the engine.
    static std::vector<Profile> forEngine(const QString& engine);
};

// Deep merge: keys of `over` replace those of `base`, objects merge recursively.
QJsonObject mergeJson(const QJsonObject& base, const QJsonObject& over);

} // namespace es
