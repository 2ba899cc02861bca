// MappingProposer: which table holds the events and which columns play each role, from names, types, keys, indexes
// and a sample of rows. Every choice carries its reason; what a column cannot promise is a warning.
#include "mapping/mappingproposal.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

namespace es {

namespace {

// Lower case without '_', '-' or spaces: "aggregateIdentifier", "aggregate_identifier" read the same.
QString norm(const QString& name)
{
    QString out;
    for (const QChar c : name) {
        if (c.isLetterOrNumber())
            out.append(c.toLower());
    }
    return out;
}

bool isInteger(const DbColumn& c)
{
    const QString& t = c.type;
    return t.contains(QLatin1String("int")) || t.contains(QLatin1String("serial"))
        || (t.startsWith(QLatin1String("numeric")) && !t.contains(u','));
}
bool isJson(const DbColumn& c)
{
    return c.type == QLatin1String("json") || c.type == QLatin1String("jsonb");
}
bool isBytes(const DbColumn& c)
{
    return c.type == QLatin1String("bytea") || c.type == QLatin1String("blob") || c.type == QLatin1String("oid");
}
bool isUuid(const DbColumn& c)
{
    return c.type == QLatin1String("uuid");
}
bool isText(const DbColumn& c)
{
    const QString& t = c.type;
    return t.isEmpty() || t.contains(QLatin1String("char")) || t.contains(QLatin1String("text"))
        || t.contains(QLatin1String("clob")) || t == QLatin1String("name") || t == QLatin1String("citext");
}
bool isTimestamp(const DbColumn& c)
{
    return c.type.startsWith(QLatin1String("timestamp")) || c.type == QLatin1String("date")
        || c.type == QLatin1String("datetime");
}

// A column name as SQL: quoted unless it reads the same unquoted on both engines.
QString ident(const QString& name)
{
    static const QRegularExpression plain(QStringLiteral("^[a-z_][a-z0-9_]*$"));
    if (plain.match(name).hasMatch())
        return name;
    QString q = name;
    q.replace(u'"', QLatin1String("\"\""));
    return u'"' + q + u'"';
}

// The sampled values of a column, bytea hex decoded.
QList<QByteArray> samples(const DbTable& t, int column)
{
    QList<QByteArray> out;
    for (const auto& row : t.sample) {
        if (size_t(column) >= row.size() || !row[size_t(column)])
            continue;
        const QString& v = *row[size_t(column)];
        if (v.startsWith(QLatin1String("\\x")))
            out.append(QByteArray::fromHex(v.mid(2).toLatin1()));
        else
            out.append(v.toUtf8());
    }
    return out;
}

// Share of the sampled values that are JSON objects or arrays (-1 without samples).
double jsonShare(const DbTable& t, int column)
{
    const QList<QByteArray> values = samples(t, column);
    if (values.isEmpty())
        return -1;
    int json = 0;
    for (const QByteArray& v : values) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(v, &error);
        json += error.error == QJsonParseError::NoError && (doc.isObject() || doc.isArray()) ? 1 : 0;
    }
    return double(json) / double(values.size());
}

bool samplesLookLikeTimes(const DbTable& t, int column)
{
    static const QRegularExpression iso(QStringLiteral("^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}"));
    const QList<QByteArray> values = samples(t, column);
    return !values.isEmpty() && std::all_of(values.begin(), values.end(), [](const QByteArray& v) {
        return iso.match(QString::fromUtf8(v)).hasMatch();
    });
}

int nameScore(const QString& n, const std::vector<std::pair<const char*, int>>& names)
{
    int best = 0;
    for (const auto& [name, score] : names)
        best = n == QLatin1String(name) ? std::max(best, score) : best;
    return best;
}

const std::vector<std::pair<const char*, int>> positionNames { { "globalposition", 100 }, { "globalindex", 100 },
    { "globalsequence", 100 }, { "globalseq", 100 }, { "seqid", 95 }, { "ordering", 95 }, { "notificationid", 95 },
    { "sequenceid", 80 }, { "eventnumber", 60 }, { "id", 40 }, { "no", 30 } };
const std::vector<std::pair<const char*, int>> versionNames { { "streamposition", 100 }, { "streamversion", 100 },
    { "version", 95 }, { "sequencenumber", 95 }, { "sequencenr", 95 }, { "originatorversion", 95 },
    { "streamrevision", 95 }, { "aggregateversion", 95 }, { "revision", 80 }, { "sequence", 80 }, { "position", 70 },
    { "seq", 60 } };
const std::vector<std::pair<const char*, int>> streamNames { { "streamname", 100 }, { "streamid", 95 },
    { "stream", 95 }, { "streamuuid", 95 }, { "aggregateid", 90 }, { "aggregateidentifier", 90 },
    { "originatorid", 90 }, { "persistenceid", 90 }, { "entityid", 85 }, { "aggregateuuid", 85 }, { "sourceid", 70 },
    { "streamkey", 90 } };
const std::vector<std::pair<const char*, int>> categoryNames { { "aggregatetype", 100 }, { "aggregatename", 100 },
    { "entitytype", 95 }, { "streamtype", 90 }, { "aggregate", 80 }, { "category", 95 }, { "entityname", 90 },
    { "type", 50 } };
const std::vector<std::pair<const char*, int>> typeNames { { "eventtype", 100 }, { "messagetype", 100 },
    { "payloadtype", 100 }, { "eventname", 95 }, { "eventclass", 90 }, { "manifest", 85 }, { "topic", 80 },
    { "type", 75 }, { "name", 40 }, { "kind", 40 } };
const std::vector<std::pair<const char*, int>> dataNames { { "data", 100 }, { "payload", 100 }, { "eventdata", 100 },
    { "messagedata", 100 }, { "jsondata", 100 }, { "eventpayload", 100 }, { "body", 90 }, { "state", 70 },
    { "event", 70 }, { "content", 60 } };
const std::vector<std::pair<const char*, int>> metadataNames { { "metadata", 100 }, { "eventmetadata", 100 },
    { "messagemetadata", 100 }, { "jsonmetadata", 100 }, { "meta", 90 }, { "headers", 85 }, { "context", 40 } };
const std::vector<std::pair<const char*, int>> timeNames { { "created", 100 }, { "createdat", 100 },
    { "timestamp", 100 }, { "time", 95 }, { "occurredat", 100 }, { "recordedat", 95 }, { "insertedat", 90 },
    { "createdutc", 90 }, { "timestamputc", 90 }, { "eventtime", 95 }, { "storedat", 90 }, { "writtenat", 90 },
    { "datecreated", 90 }, { "createdon", 90 } };
const std::vector<std::pair<const char*, int>> idNames { { "eventid", 100 }, { "messageid", 100 },
    { "eventidentifier", 100 }, { "eventuuid", 95 }, { "messageuuid", 95 }, { "uuid", 80 }, { "id", 60 } };

// What the table offers for each role, for ranking: the number of roles a column is named for.
int roleCoverage(const DbTable& t, QStringList* found)
{
    int roles = 0;
    auto any = [&](const char* role, const std::vector<std::pair<const char*, int>>& names, auto accept) {
        for (const DbColumn& c : t.columns) {
            if (nameScore(norm(c.name), names) >= 60 && accept(c)) {
                ++roles;
                found->append(QString::fromLatin1(role) + QStringLiteral(" (") + c.name + u')');
                return;
            }
        }
    };
    any("stream", streamNames, [](const DbColumn& c) { return isText(c) || isUuid(c); });
    any("version", versionNames, [](const DbColumn& c) { return isInteger(c); });
    any("type", typeNames, [](const DbColumn& c) { return isText(c); });
    any("data", dataNames, [](const DbColumn& c) { return isJson(c) || isBytes(c) || isText(c); });
    any("metadata", metadataNames, [](const DbColumn& c) { return isJson(c) || isBytes(c) || isText(c); });
    any("time", timeNames, [](const DbColumn&) { return true; });
    return roles;
}

class TableProposer {
public:
    TableProposer(const DbTable& table, const QString& engine, MappingProposal& out)
        : t(table)
        , pg(engine == QLatin1String("postgresql"))
        , p(out)
    { }

    void run()
    {
        position();
        version();
        stream();
        type();
        payload(QStringLiteral("data"), dataNames, true);
        payload(QStringLiteral("metadata"), metadataNames, false);
        time();
        id();
        links();
        if (t.rowEstimate == 0 || t.sample.empty())
            p.warnings.append(
                QStringLiteral("%1 is empty: the proposal rests on names, types and keys only").arg(t.qualifiedName()));
    }

private:
    struct Pick {
        const DbColumn* column = nullptr;
        int score = 0;
    };

    template <typename Accept>
    Pick best(const std::vector<std::pair<const char*, int>>& names, Accept accept, int bonusGenerated = 0) const
    {
        Pick out;
        for (const DbColumn& c : t.columns) {
            if (used.contains(c.name) || !accept(c))
                continue;
            int score = nameScore(norm(c.name), names);
            if (score > 0 && c.generated)
                score += bonusGenerated;
            if (score > out.score)
                out = { &c, score };
        }
        return out;
    }

    void set(const QString& role, const QString& expression, const QStringList& columns, const QString& reason)
    {
        for (MappingRole& r : p.roles) {
            if (r.role == role)
                r = { role, expression, columns, reason };
        }
        for (const QString& c : columns)
            used.insert(c);
    }

    bool indexed(const QStringList& columns) const { return t.indexLeadsWith(columns); }

    void position()
    {
        Pick named = best(
            positionNames, [](const DbColumn& c) { return isInteger(c); }, 20);
        // "id" names the order only where it is a generated key.
        if (named.column && norm(named.column->name) == QLatin1String("id") && !named.column->generated)
            named = {};
        const DbColumn* generated = nullptr;
        for (const DbColumn& c : t.columns) {
            if (isInteger(c) && c.generated && !generated)
                generated = &c;
        }
        const DbColumn* c = named.column ? named.column : generated;
        if (c) {
            const bool namedForOrder = named.column && nameScore(norm(c->name), positionNames) >= 60;
            QString reason = namedForOrder ? QStringLiteral("an integer column named for a global order")
                                           : QStringLiteral("an increasing integer key");
            if (c->generated)
                reason += pg ? QStringLiteral(", from a sequence or identity") : QStringLiteral(", the rowid");
            if (c->primaryKey)
                reason += QStringLiteral(", the primary key");
            set(QStringLiteral("position"), ident(c->name), { c->name }, reason);
            if (!indexed({ c->name }))
                p.warnings.append(QStringLiteral("no index starts with the position %1: reading in order sorts the "
                                                 "whole table")
                                      .arg(c->name));
            if (pg && c->generated)
                p.warnings.append(QStringLiteral("positions come from a sequence: concurrent writers commit them out "
                                                 "of order, so the live tail waits for a settled head"));
            return;
        }
        if (!pg && t.rowid) {
            set(QStringLiteral("position"), QStringLiteral("rowid"), {},
                QStringLiteral("no increasing integer key: the rowid, which SQLite hands out in insertion order"));
        } else if (pg && !t.view) {
            set(QStringLiteral("position"),
                QStringLiteral("((ctid::text::point)[0]::bigint * 65536 + (ctid::text::point)[1]::bigint)"), {},
                QStringLiteral("no increasing integer key: the physical row location (insertion order until rows "
                               "are updated or the table is vacuumed full)"));
        }
        p.warnings.append(QStringLiteral("no global order: %1 has no increasing integer key, so the order across "
                                         "streams is the insertion order at best")
                              .arg(t.qualifiedName()));
    }

    void version()
    {
        const Pick v = best(versionNames, [](const DbColumn& c) { return isInteger(c) && !c.generated; });
        if (v.column) {
            set(QStringLiteral("version"), ident(v.column->name), { v.column->name },
                QStringLiteral("an integer column named for the position within a stream"));
            versionColumn = v.column->name;
            return;
        }
        const QString position = p.expression(QStringLiteral("position"));
        set(QStringLiteral("version"), position, {},
            QStringLiteral("no per-stream version: the global position stands in (versions are not 0, 1, 2...)"));
        p.warnings.append(QStringLiteral("no version column: events of a stream are numbered by global position"));
    }

    void stream()
    {
        const Pick s = best(streamNames, [](const DbColumn& c) { return isText(c) || isUuid(c); });
        Pick c = best(categoryNames, [&](const DbColumn& col) {
            return isText(col) && (!s.column || col.name != s.column->name)
                && nameScore(norm(col.name), typeNames) < 100;
        });
        // Beside a column named for the event type (payload_type, event_type), a bare "type" is the aggregate's.
        const bool eventTyped = std::any_of(t.columns.begin(), t.columns.end(),
            [](const DbColumn& col) { return isText(col) && nameScore(norm(col.name), typeNames) >= 100; });
        if (eventTyped && c.column && norm(c.column->name) == QLatin1String("type"))
            c.score = 85;
        if (!s.column) {
            p.warnings.append(QStringLiteral("no stream column found: choose one"));
            return;
        }
        // A stream is keyed by (aggregate type, id) when no unique key holds the id without the type.
        auto uniqueWith = [&](const QStringList& cols) {
            for (const DbIndex& i : t.indexes) {
                if (!i.unique)
                    continue;
                bool all = true;
                for (const QString& col : cols)
                    all = all && i.columns.contains(col, Qt::CaseInsensitive);
                if (all && (versionColumn.isEmpty() || i.columns.contains(versionColumn, Qt::CaseInsensitive)))
                    return true;
            }
            return false;
        };
        const bool composite = c.column && c.score >= 80 && uniqueWith({ c.column->name, s.column->name })
            && !uniqueWithout(s.column->name, c.column->name);
        if (composite) {
            const QString expr = ident(c.column->name) + QStringLiteral(" || '-' || ") + ident(s.column->name);
            set(QStringLiteral("stream"), expr, { c.column->name, s.column->name },
                QStringLiteral("%1 is unique only with %2 (a stream is keyed by both): the two joined as "
                               "\"<%2>-<%1>\"")
                    .arg(s.column->name, c.column->name));
            set(QStringLiteral("category"), ident(c.column->name), { c.column->name },
                QStringLiteral("the stream's aggregate type column"));
            if (!indexed({ c.column->name, s.column->name }))
                p.warnings.append(QStringLiteral("no index starts with %1 and %2: reading one stream scans the table")
                                      .arg(c.column->name, s.column->name));
            return;
        }
        set(QStringLiteral("stream"), ident(s.column->name), { s.column->name },
            isUuid(*s.column) ? QStringLiteral("a uuid column named for the stream")
                              : QStringLiteral("a text column named for the stream"));
        if (!indexed({ s.column->name }))
            p.warnings.append(QStringLiteral("no index starts with the stream column %1: reading one stream scans the "
                                             "whole table")
                                  .arg(s.column->name));
        if (c.column && c.score >= 80) {
            set(QStringLiteral("category"), ident(c.column->name), { c.column->name },
                QStringLiteral("a column naming the stream's aggregate type"));
            return;
        }
        const int column = t.columnIndex(s.column->name);
        const QList<QByteArray> names = samples(t, column);
        const bool dashed = !names.isEmpty()
            && std::all_of(names.begin(), names.end(), [](const QByteArray& n) { return n.indexOf('-') > 0; })
            && !isUuid(*s.column);
        set(QStringLiteral("category"), {}, {},
            dashed ? QStringLiteral("the part of the stream name before the first '-' (as in the sample's names)")
                   : QStringLiteral("no category column: the part of the stream name before the first '-'"));
    }

    bool uniqueWithout(const QString& column, const QString& without) const
    {
        for (const DbIndex& i : t.indexes) {
            if (i.unique && i.columns.contains(column, Qt::CaseInsensitive)
                && !i.columns.contains(without, Qt::CaseInsensitive))
                return true;
        }
        return false;
    }

    void type()
    {
        const Pick ty = best(typeNames, [](const DbColumn& c) { return isText(c); });
        if (!ty.column) {
            p.warnings.append(QStringLiteral("no event type column found: choose one"));
            return;
        }
        set(QStringLiteral("type"), ident(ty.column->name), { ty.column->name },
            QStringLiteral("a text column named for the event type"));
    }

    void payload(const QString& role, const std::vector<std::pair<const char*, int>>& names, bool required)
    {
        const DbColumn* pick = nullptr;
        int pickScore = 0;
        QString why;
        for (const DbColumn& c : t.columns) {
            if (used.contains(c.name))
                continue;
            const int name = nameScore(norm(c.name), names);
            const int column = t.columnIndex(c.name);
            int kind = 0;
            QString w;
            QString held;
            if (isJson(c)) {
                kind = 40;
            } else if (isBytes(c) || isText(c)) {
                const double share = jsonShare(t, column);
                kind = share > 0.5 ? 30 : isBytes(c) ? 15 : 10;
                if (share > 0.5)
                    held = QStringLiteral(", JSON in the sample");
            } else {
                continue;
            }
            w = QStringLiteral("a %1 column").arg(c.type);
            // A JSON column not named for either payload is the data only when nothing is named for it.
            const int score = name > 0 ? name + kind : (required && isJson(c) ? kind - 20 : 0);
            if (score > pickScore) {
                pick = &c;
                pickScore = score;
                why = w + (name > 0 ? QStringLiteral(" named for the %1").arg(role) : QString()) + held;
            }
        }
        if (!pick) {
            if (required)
                p.warnings.append(QStringLiteral("no payload column found: choose one"));
            return;
        }
        set(role, ident(pick->name), { pick->name }, why);
        if (role == QLatin1String("metadata"))
            metadataColumn = pick->name;
        if (!isJson(*pick) && jsonShare(t, t.columnIndex(pick->name)) == 0)
            p.warnings.append(
                QStringLiteral("%1 is not JSON in the sample: events show it as text or bytes").arg(pick->name));
    }

    void time()
    {
        Pick ts = best(timeNames, [&](const DbColumn& c) {
            return isTimestamp(c) || (isText(c) && samplesLookLikeTimes(t, t.columnIndex(c.name)))
                || (isInteger(c) && !c.generated);
        });
        if (!ts.column) {
            for (const DbColumn& c : t.columns) {
                if (!used.contains(c.name) && isTimestamp(c)) {
                    ts.column = &c;
                    break;
                }
            }
        }
        if (!ts.column) {
            p.warnings.append(QStringLiteral("no time column: activity over time and time filters are unavailable"));
            return;
        }
        const DbColumn& c = *ts.column;
        QString reason = ts.score > 0 ? QStringLiteral("a %1 column named for a time").arg(c.type)
                                      : QStringLiteral("the first %1 column (none is named for a time)").arg(c.type);
        if (!isTimestamp(c))
            reason += QStringLiteral(", ISO 8601 times in the sample");
        if (isInteger(c)) {
            const QList<QByteArray> values = samples(t, t.columnIndex(c.name));
            const bool millis = !values.isEmpty() && values.front().toLongLong() > 100000000000LL;
            p.timeFilter = millis ? QStringLiteral("epoch_ms") : QStringLiteral("epoch_s");
            reason = millis ? QStringLiteral("an integer column named for a time, epoch milliseconds in the sample")
                            : QStringLiteral("an integer column named for a time, epoch seconds in the sample");
        }
        set(QStringLiteral("time"), ident(c.name), { c.name }, reason);
    }

    void id()
    {
        const Pick i = best(idNames, [](const DbColumn& c) { return isText(c) || isUuid(c); });
        if (i.column)
            set(QStringLiteral("id"), ident(i.column->name), { i.column->name },
                QStringLiteral("a %1 column named for the event's id").arg(i.column->type));
    }

    // Correlation, causation and id keys: the top-level keys of the sampled metadata named for them.
    void links()
    {
        if (metadataColumn.isEmpty())
            return;
        QStringList keys;
        for (const QByteArray& v : samples(t, t.columnIndex(metadataColumn))) {
            const QJsonDocument doc = QJsonDocument::fromJson(v);
            for (const QString& k : doc.object().keys()) {
                if (!keys.contains(k))
                    keys.append(k);
            }
        }
        for (const QString& k : keys) {
            const QString n = norm(k);
            if (n.contains(QLatin1String("correlation")))
                p.correlationKeys.append(k);
            else if (n.contains(QLatin1String("causation")))
                p.causationKeys.append(k);
            else if (n == QLatin1String("messageid") || n == QLatin1String("eventid"))
                p.idKeys.append(k);
        }
        auto exactFirst = [](QStringList& list, const char* exact) {
            std::stable_sort(list.begin(), list.end(), [exact](const QString& a, const QString& b) {
                return (norm(a) == QLatin1String(exact)) > (norm(b) == QLatin1String(exact));
            });
        };
        exactFirst(p.correlationKeys, "correlationid");
        exactFirst(p.causationKeys, "causationid");
    }

    const DbTable& t;
    bool pg;
    MappingProposal& p;
    QSet<QString> used;
    QString versionColumn;
    QString metadataColumn;
};

} // namespace

std::vector<TableCandidate> MappingProposer::rankTables(const DatabaseSchema& schema)
{
    static const QRegularExpression eventsName(
        QStringLiteral("event|message|journal|domain"), QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression otherName(
        QStringLiteral("snapshot|checkpoint|subscription|token|tracking|progression|outbox|saga|streams$|_tag$|lock"),
        QRegularExpression::CaseInsensitiveOption);
    std::vector<TableCandidate> out;
    for (const DbTable& t : schema.tables) {
        QStringList found;
        const int roles = roleCoverage(t, &found);
        if (roles < 2)
            continue;
        int score = roles * 20;
        QStringList why { QStringLiteral("columns for %1").arg(found.join(QStringLiteral(", "))) };
        if (eventsName.match(t.name).hasMatch()) {
            score += 15;
            why.append(QStringLiteral("named for events"));
        }
        if (otherName.match(t.name).hasMatch()) {
            score -= 40;
            why.append(QStringLiteral("named like a snapshot, stream or checkpoint table"));
        }
        if (std::any_of(
                t.columns.begin(), t.columns.end(), [](const DbColumn& c) { return c.generated && isInteger(c); })) {
            score += 10;
            why.append(QStringLiteral("an increasing key"));
        }
        if (t.view)
            score -= 5;
        if (t.rowEstimate > 0)
            why.append(QStringLiteral("about %1 rows").arg(t.rowEstimate));
        out.push_back({ t.qualifiedName(), score, why.join(QStringLiteral("; ")) });
    }
    std::stable_sort(
        out.begin(), out.end(), [&](const TableCandidate& a, const TableCandidate& b) { return a.score > b.score; });
    return out;
}

MappingProposal MappingProposer::propose(const DatabaseSchema& schema, const QString& table)
{
    MappingProposal p;
    p.engine = schema.engine;
    for (const QString& r : MappingProposal::roleNames())
        p.roles.push_back({ r, {}, {}, {} });
    p.candidates = rankTables(schema);
    QString chosen = table;
    if (chosen.isEmpty()) {
        if (p.candidates.empty()) {
            p.warnings.append(QStringLiteral("no table has columns for a stream, a version, a type and a payload"));
            return p;
        }
        chosen = p.candidates.front().table;
    }
    const DbTable* t = nullptr;
    for (const DbTable& candidate : schema.tables) {
        if (candidate.qualifiedName() == chosen)
            t = &candidate;
    }
    if (!t) {
        p.warnings.append(QStringLiteral("no table %1").arg(chosen));
        return p;
    }
    p.schema = t->schema;
    p.table = t->name;
    for (const TableCandidate& c : p.candidates) {
        if (c.table == chosen)
            p.tableReason = c.reason;
    }
    if (p.tableReason.isEmpty())
        p.tableReason = QStringLiteral("chosen by hand");
    TableProposer(*t, schema.engine, p).run();
    if (p.candidates.size() > 1 && p.candidates[0].table == chosen && p.candidates[1].score == p.candidates[0].score)
        p.warnings.append(QStringLiteral("%1 looks as much like an events table; pick it if it is the one")
                              .arg(p.candidates[1].table));
    return p;
}

} // namespace es
