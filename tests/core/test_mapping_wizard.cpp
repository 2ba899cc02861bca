// The mapping wizard's model (model/mapping/): the tables the engines describe without a profile, the proposal for
// the composite-key store, and the proposal on each built-in layout's tables with the profile hidden (issue 19).
#include <catch2/catch.hpp>

#include "layouts/profile.h"
#include "mapping/mappingproposal.h"
#include "mapping/schemareader.h"
#include "store/storeregistry.h"
#include "test_composite_support.h"
#include "test_layout_support.h"
#include "test_sqlite_support.h"
#include "testutils.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

#include <iostream>

using namespace es;
using namespace es::test;

namespace {

// Reads the proposal back through the engine as a mapping file: what the wizard's preview shows.
EventList readThrough(const QString& address, const MappingProposal& p, const QTemporaryDir& dir)
{
    const QString path = tempPath(dir, QStringLiteral("proposed.json"));
    QFile f(path);
    REQUIRE(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(QJsonDocument(p.toMappingJson(QStringLiteral("proposed"))).toJson());
    f.close();
    OpenOptions options;
    options.mappingFile = path;
    auto store = StoreRegistry::open(address, options);
    return readAll(*store);
}

void checkCompositeProposal(const DatabaseSchema& schema, const QString& address)
{
    const std::vector<TableCandidate> ranked = MappingProposer::rankTables(schema);
    REQUIRE(!ranked.empty());
    CHECK(ranked.front().table.endsWith(QLatin1String("events")));
    const MappingProposal p = MappingProposer::propose(schema);
    INFO(QJsonDocument(p.toMappingJson()).toJson().constData());
    CHECK(p.table == QLatin1String("events"));
    CHECK(p.expression(QStringLiteral("position")) == QLatin1String("id"));
    CHECK(p.expression(QStringLiteral("stream")) == QLatin1String("aggregate_name || '-' || aggregate_id"));
    CHECK(p.expression(QStringLiteral("category")) == QLatin1String("aggregate_name"));
    CHECK(p.expression(QStringLiteral("version")) == QLatin1String("version"));
    CHECK(p.expression(QStringLiteral("type")) == QLatin1String("type"));
    CHECK(p.expression(QStringLiteral("data")) == QLatin1String("payload"));
    CHECK(p.expression(QStringLiteral("metadata")) == QLatin1String("metadata"));
    CHECK(p.expression(QStringLiteral("time")) == QLatin1String("occurred_at"));
    CHECK(p.correlationKeys == QStringList { QStringLiteral("correlationId") });
    CHECK(p.causationKeys == QStringList { QStringLiteral("causationId") });
    CHECK(p.role(QStringLiteral("stream")).reason.contains(QLatin1String("unique only with")));
    CHECK(p.complete());
    // The table has a unique (aggregate_name, aggregate_id, version) index, so no warning about the stream's index.
    for (const QString& w : p.warnings)
        CHECK(!w.contains(QLatin1String("reading one stream scans")));

    QTemporaryDir dir;
    const EventList events = readThrough(address, p, dir);
    REQUIRE(events.size() == compositeEvents().size());
    for (size_t i = 0; i < events.size(); ++i) {
        CHECK(events[i].position == qint64(i) + 1);
        CHECK(events[i].stream == compositeStream(compositeEvents()[i]));
        CHECK(events[i].version == compositeEvents()[i].version);
        CHECK(events[i].correlationId.startsWith(QLatin1String("c-")));
    }
}

} // namespace

TEST_CASE(
    "mapping wizard: SQLite tables, keys, indexes and first rows are described without a profile", "[mapping][sqlite]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("aggregates.sqlite"));
    for (const QString& statement : compositeStoreSql(false))
        execSqlite(path, statement);
    const DatabaseSchema schema = SchemaReader::describe(path);
    CHECK(schema.engine == QLatin1String("sqlite"));
    REQUIRE(schema.tables.size() == 2);
    const DbTable& events = schema.tables[0];
    CHECK(events.name == QLatin1String("events"));
    CHECK(events.rowEstimate == 7);
    REQUIRE(events.column(QStringLiteral("id")));
    CHECK(events.column(QStringLiteral("id"))->generated);
    CHECK(events.column(QStringLiteral("payload"))->type == QLatin1String("text"));
    CHECK(events.indexLeadsWith({ QStringLiteral("aggregate_id"), QStringLiteral("aggregate_name") }));
    CHECK(events.sample.size() == 7);
    checkCompositeProposal(schema, path);
}

TEST_CASE("mapping wizard: PostgreSQL tables are described and the composite key is proposed", "[mapping][pg]")
{
    ES_REQUIRE_PG("the PostgreSQL mapping wizard");
    PgTestDatabase db(QStringLiteral("wizard"));
    REQUIRE(db.ok());
    for (const QString& statement : compositeStoreSql(true))
        db.sql(statement);
    db.sql(QStringLiteral("ANALYZE events"));
    const DatabaseSchema schema = SchemaReader::describe(db.address());
    CHECK(schema.engine == QLatin1String("postgresql"));
    const auto it = std::find_if(
        schema.tables.begin(), schema.tables.end(), [](const DbTable& t) { return t.name == QLatin1String("events"); });
    REQUIRE(it != schema.tables.end());
    CHECK(it->schema == QLatin1String("public"));
    CHECK(it->rowEstimate == 7);
    CHECK(it->column(QStringLiteral("id"))->generated);
    CHECK(it->column(QStringLiteral("aggregate_id"))->type == QLatin1String("uuid"));
    CHECK(it->column(QStringLiteral("payload"))->type == QLatin1String("jsonb"));
    checkCompositeProposal(schema, db.address());

    // --schema restricts the listing; a schema without tables gives no proposal.
    OpenOptions other;
    other.schema = QStringLiteral("nowhere");
    const MappingProposal none = MappingProposer::propose(SchemaReader::describe(db.address(), other));
    CHECK(none.table.isEmpty());
    CHECK(!none.complete());
}

TEST_CASE("mapping wizard: a table without an increasing key or a stream index gets the warnings", "[mapping][sqlite]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("loose.sqlite"));
    execSqlite(
        path, QStringLiteral("CREATE TABLE journal2 (stream_name TEXT, seq INTEGER, event_type TEXT, body TEXT);"));
    execSqlite(path,
        QStringLiteral(
            "INSERT INTO journal2 VALUES ('a-1', 1, 'Opened', '{\"x\": 1}'), ('a-1', 2, 'Closed', 'plain');"));
    const DatabaseSchema schema = SchemaReader::describe(path);
    const MappingProposal p = MappingProposer::propose(schema, QStringLiteral("journal2"));
    INFO(p.warnings.join(u'\n').toStdString());
    CHECK(p.expression(QStringLiteral("position")) == QLatin1String("rowid"));
    CHECK(p.expression(QStringLiteral("version")) == QLatin1String("seq"));
    CHECK(p.expression(QStringLiteral("stream")) == QLatin1String("stream_name"));
    CHECK(p.expression(QStringLiteral("category")).isEmpty()); // the part before '-', as the sample's names show
    auto warned = [&](const char* text) {
        return std::any_of(
            p.warnings.begin(), p.warnings.end(), [text](const QString& w) { return w.contains(QLatin1String(text)); });
    };
    CHECK(warned("no global order"));
    CHECK(warned("no index starts with the stream column stream_name"));
    CHECK(warned("no time column"));
    CHECK(p.complete());
    QTemporaryDir out;
    CHECK(summary(readThrough(path, p, out))
        == QStringList { QStringLiteral("1 a-1@1 Opened"), QStringLiteral("2 a-1@2 Closed") });
}

namespace {

// The columns an expression reads, among `known` (lower-case), string literals left out.
QSet<QString> columnsRead(QString expr, const QSet<QString>& known)
{
    expr.remove(QRegularExpression(QStringLiteral("'[^']*'")));
    QSet<QString> out;
    static const QRegularExpression word(QStringLiteral("\"([^\"]+)\"|([A-Za-z_][A-Za-z0-9_]*)"));
    for (auto it = word.globalMatch(expr); it.hasNext();) {
        const auto m = it.next();
        const QString w = (m.captured(1).isEmpty() ? m.captured(2) : m.captured(1)).toLower();
        if (known.contains(w))
            out.insert(w);
    }
    return out;
}

struct LayoutScore {
    int right = 0;
    QStringList wrong;
};

// The roles of the proposal that read the same columns as the built-in profile's (category: the same expression's
// columns, or both from the stream name).
LayoutScore score(const DatabaseSchema& schema, const MappingProposal& p, const Profile& profile)
{
    QSet<QString> known { QStringLiteral("rowid"), QStringLiteral("ctid") };
    for (const DbTable& t : schema.tables)
        for (const DbColumn& c : t.columns)
            known.insert(c.name.toLower());
    const Profile::Events& e = profile.events;
    const std::vector<std::pair<QString, QString>> expected { { QStringLiteral("position"), e.position },
        { QStringLiteral("stream"), e.stream }, { QStringLiteral("version"), e.version },
        { QStringLiteral("type"), e.type }, { QStringLiteral("data"), e.data },
        { QStringLiteral("metadata"), e.metadata }, { QStringLiteral("time"), e.time }, { QStringLiteral("id"), e.id },
        { QStringLiteral("category"), profile.category.expression } };
    LayoutScore s;
    for (const auto& [role, want] : expected) {
        const QString got = p.expression(role);
        const bool ok = want.isEmpty() ? got.isEmpty()
                                       : !got.isEmpty() && columnsRead(want, known) == columnsRead(got, known)
                && !columnsRead(want, known).isEmpty();
        if (ok)
            ++s.right;
        else
            s.wrong.append(QStringLiteral("%1 (profile: %2, proposed: %3)")
                               .arg(role, want.isEmpty() ? QStringLiteral("none") : want,
                                   got.isEmpty() ? QStringLiteral("none") : got));
    }
    return s;
}

// The proposed table is one of the profile's names (globs such as "*_events" included).
bool tableMatches(const QString& profileTables, const QString& table)
{
    for (const QString& name : profileTables.split(u',')) {
        const QRegularExpression glob(
            QRegularExpression::wildcardToRegularExpression(name), QRegularExpression::CaseInsensitiveOption);
        if (!table.isEmpty() && glob.match(table).hasMatch())
            return true;
    }
    return false;
}

void report(const QString& layout, const QString& engine, const MappingProposal& p, const QString& profileTable,
    const LayoutScore& s)
{
    std::cout << "| " << layout.toStdString() << " | " << engine.toStdString() << " | "
              << (tableMatches(profileTable, p.table) ? "yes" : "no") << " (" << p.table.toStdString() << ") | "
              << s.right << "/9 | " << s.wrong.join(QStringLiteral("; ")).toStdString() << " |\n";
}

// The profile's events table names (detect names of the aliases events.table uses).
QString profileTables(const Profile& profile)
{
    QStringList names;
    for (const Profile::Table& t : profile.tables) {
        if (profile.events.table.contains(u'{' + t.alias + u'}'))
            names.append(t.names);
    }
    return names.join(u',');
}

} // namespace

TEST_CASE("mapping wizard: roles proposed right on each built-in layout's tables, the profile hidden",
    "[mapping][pg][layouts]")
{
    ES_REQUIRE_PG("the wizard on the PostgreSQL layouts");
    // fixture, profile, the fewest roles (of 9) the proposal must get right (measured; a drop is a regression).
    const std::vector<std::tuple<const char*, const char*, int>> layouts { { "messagedb.sql", "messagedb", 9 },
        { "emmett.sql", "emmett", 9 }, { "marten_guid.sql", "marten", 7 }, { "marten_string.sql", "marten", 7 },
        { "eventuous.sql", "eventuous", 8 }, { "axon_jpa.sql", "axon", 9 }, { "axon_jdbc.sql", "axon-jdbc", 9 },
        { "eventsourcing.sql", "eventsourcing", 8 }, { "cqrs-es.sql", "cqrs-es", 8 },
        { "railseventstore.sql", "railseventstore", 7 }, { "commanded.sql", "commanded", 6 } };
    std::cout << "| layout | engine | events table | roles right | wrong |\n|---|---|---|---|---|\n";
    for (const auto& [fixture, name, least] : layouts) {
        PgTestDatabase db(QStringLiteral("wizard"), { QString::fromLatin1(fixture) });
        REQUIRE(db.ok());
        const DatabaseSchema schema = SchemaReader::describe(db.address());
        const MappingProposal p = MappingProposer::propose(schema);
        const auto profile = ProfileRegistry::find(QString::fromLatin1(name), QStringLiteral("postgresql"));
        REQUIRE(profile);
        const LayoutScore s = score(schema, p, *profile);
        report(QString::fromLatin1(fixture), QStringLiteral("postgresql"), p, profileTables(*profile), s);
        INFO(fixture << ": " << s.wrong.join(QStringLiteral("; ")).toStdString());
        CHECK(s.right >= least);
        CHECK(tableMatches(profileTables(*profile), p.table));
    }
}

TEST_CASE(
    "mapping wizard: roles proposed right on Emmett's SQLite tables, the profile hidden", "[mapping][sqlite][layouts]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("emmett.sqlite"));
    {
        EmmettWriter w(path);
        w.append(QStringLiteral("order-1"),
            { { QStringLiteral("Placed"), QByteArray(R"({"total": 5})") },
                { QStringLiteral("Paid"), QByteArray(R"({"amount": 5})") } },
            QStringLiteral("c-1"));
    }
    const DatabaseSchema schema = SchemaReader::describe(path);
    const MappingProposal p = MappingProposer::propose(schema);
    const auto profile = ProfileRegistry::find(QStringLiteral("emmett"), QStringLiteral("sqlite"));
    REQUIRE(profile);
    const LayoutScore s = score(schema, p, *profile);
    report(QStringLiteral("emmett (EmmettWriter)"), QStringLiteral("sqlite"), p, profileTables(*profile), s);
    INFO(s.wrong.join(QStringLiteral("; ")).toStdString());
    CHECK(s.right == 9);
    CHECK(p.correlationKeys == QStringList { QStringLiteral("correlationId") });
    CHECK(p.idKeys == QStringList { QStringLiteral("messageId") });
    QTemporaryDir out;
    CHECK(summary(readThrough(path, p, out))
        == QStringList { QStringLiteral("1 order-1@1 Placed"), QStringLiteral("2 order-1@2 Paid") });
}
