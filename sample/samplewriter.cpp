#include "samplewriter.h"

#include "pg/pgaddress.h"
#include "sampledomain.h"
#include "sql/emmettschema.h"
#include "store/eventstore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QStringList>

#include <pqxx/pqxx>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <tuple>

#include <unistd.h>

namespace es {

namespace {

using emmett::defaultPartition;

class SqliteWriter {
public:
    explicit SqliteWriter(const QString& path)
    {
        if (sqlite3_open_v2(
                QFile::encodeName(path).constData(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr)
            != SQLITE_OK)
            fail(QStringLiteral("Cannot create %1").arg(path));
    }
    ~SqliteWriter()
    {
        for (sqlite3_stmt* s : m_statements)
            sqlite3_finalize(s);
        sqlite3_close(m_db);
    }
    SqliteWriter(const SqliteWriter&) = delete;
    SqliteWriter& operator=(const SqliteWriter&) = delete;

    void exec(const char* sql)
    {
        char* message = nullptr;
        if (sqlite3_exec(m_db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
            const QString text = QString::fromUtf8(message ? message : sqlite3_errmsg(m_db));
            sqlite3_free(message);
            throw StoreError(QStringLiteral("SQLite: %1").arg(text));
        }
    }
    sqlite3_stmt* prepare(const char* sql)
    {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
            fail(QStringLiteral("Cannot prepare a statement"));
        m_statements.push_back(s);
        return s;
    }
    void run(sqlite3_stmt* s)
    {
        if (sqlite3_step(s) != SQLITE_DONE)
            fail(QStringLiteral("Cannot write"));
        sqlite3_reset(s);
    }
    qint64 queryInt(const char* sql)
    {
        sqlite3_stmt* s = prepare(sql);
        const qint64 value = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
        sqlite3_reset(s);
        return value;
    }
    [[noreturn]] void fail(const QString& what)
    {
        throw StoreError(QStringLiteral("%1: %2").arg(what, QString::fromUtf8(sqlite3_errmsg(m_db))));
    }

private:
    sqlite3* m_db = nullptr;
    std::vector<sqlite3_stmt*> m_statements;
};

void bindText(sqlite3_stmt* s, int column, const QByteArray& text)
{
    sqlite3_bind_text(s, column, text.constData(), static_cast<int>(text.size()), SQLITE_STATIC);
}

void bindText(sqlite3_stmt* s, int column, const char* text)
{
    sqlite3_bind_text(s, column, text, -1, SQLITE_STATIC);
}

// What CURRENT_TIMESTAMP writes: 'YYYY-MM-DD HH:MM:SS', UTC.
void formatSqliteTime(qint64 unixSeconds, char* out)
{
    using namespace std::chrono;
    const sys_seconds t { seconds { unixSeconds } };
    const sys_days midnight = floor<days>(t);
    const year_month_day date { midnight };
    const hh_mm_ss<seconds> clock { t - midnight };
    std::snprintf(out, 32, "%04d-%02u-%02u %02d:%02d:%02d", int(date.year()), unsigned(date.month()),
        unsigned(date.day()), int(clock.hours().count()), int(clock.minutes().count()), int(clock.seconds().count()));
}

// message_metadata as appendToStream.ts builds it: streamName, messageId, streamPosition (the index within the
// append, 1-based, a bigint serialised as a string by Emmett's JSON serializer), correlationId, causationId, then the
// application's own keys. traceId/spanId are undefined without tracing and so omitted by JSON.stringify.
void buildMetadata(QByteArray& out, const SampleEvent& e)
{
    out.clear();
    out.append("{\"streamName\":\"").append(e.stream);
    out.append("\",\"messageId\":\"").append(e.messageId);
    out.append("\",\"streamPosition\":\"").append(QByteArray::number(e.appendIndex));
    out.append("\",\"correlationId\":\"").append(e.correlationId);
    out.append("\",\"causationId\":\"").append(e.causationId);
    out.append("\",\"userId\":\"").append(e.userId);
    out.append("\",\"tenant\":\"").append(e.tenant);
    out.append("\"}");
}

QString checkpoint(qint64 position)
{
    // Emmett 0.42+ SQLite checkpoint text: the global position left-padded with zeros to 19 digits.
    return QStringLiteral("%1").arg(position, 19, 10, QLatin1Char('0'));
}

void writeEmmett(SqliteWriter& db, const SampleOptions& options, const std::function<bool(qint64, qint64)>& progress)
{
    // Bulk-load settings; the file is private until renamed into place, so durability during the load buys nothing.
    db.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE; "
            "PRAGMA cache_size=-65536;");
    db.exec("BEGIN");
    for (const char* ddl : emmett::sqliteSchema)
        db.exec(ddl);

    sqlite3_stmt* insert
        = db.prepare("INSERT INTO emt_messages (stream_id, stream_position, partition, message_kind, message_data, "
                     "message_metadata, message_schema_version, message_type, message_id, is_archived, created) "
                     "VALUES (?1, ?2, ?3, 'E', ?4, ?5, ?6, ?7, ?8, 0, ?9)");
    bindText(insert, 3, defaultPartition);

    SampleDomain domain(options.seed, options.events);
    SampleEvent e;
    QByteArray metadata;
    QByteArray schemaVersion;
    char created[32] = {};
    qint64 createdSecond = -1;
    constexpr qint64 progressEvery = 16384;
    constexpr qint64 commitEvery = 1000000;
    while (domain.next(e)) {
        buildMetadata(metadata, e);
        // appendToStream.ts stores the stream's expected version (its position before the append) in this column.
        schemaVersion = QByteArray::number(e.appendBase);
        const qint64 second = e.timeMs / 1000;
        if (second != createdSecond) {
            formatSqliteTime(second, created);
            createdSecond = second;
        }
        bindText(insert, 1, e.stream);
        sqlite3_bind_int64(insert, 2, e.version);
        bindText(insert, 4, e.data);
        bindText(insert, 5, metadata);
        bindText(insert, 6, schemaVersion);
        bindText(insert, 7, e.type);
        bindText(insert, 8, e.messageId);
        sqlite3_bind_text(insert, 9, created, 19, SQLITE_STATIC);
        db.run(insert);

        const qint64 done = domain.produced();
        if (done % progressEvery == 0 && progress && !progress(done, options.events))
            throw StoreError(QStringLiteral("Cancelled."), StoreError::Kind::Cancelled);
        if (done % commitEvery == 0)
            db.exec("COMMIT; BEGIN");
    }

    // One row per stream as appendToStream.ts leaves it after the last append: stream_position = the last position,
    // stream_type = the name before the first '-' (SQLiteEventStore.ts), or 'emt:unknown' without one.
    sqlite3_stmt* streams = db.prepare(
        "INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, stream_metadata, is_archived) "
        "SELECT stream_id, MAX(stream_position), ?1, "
        "CASE WHEN instr(stream_id, '-') > 1 THEN substr(stream_id, 1, instr(stream_id, '-') - 1) "
        "ELSE 'emt:unknown' END, '[]', 0 FROM emt_messages GROUP BY stream_id");
    bindText(streams, 1, defaultPartition);
    db.run(streams);

    const qint64 head = db.queryInt("SELECT COALESCE(MAX(global_position), 0) FROM emt_messages");
    struct Processor {
        const char* id;
        const char* status;
        qint64 position;
    };
    // Projections at different checkpoints; the reporting export stalled long ago.
    const Processor processors[] = {
        { "account-balances", "running", head },
        { "order-history", "running", head - head / 400 },
        { "shipment-tracking", "running", head - head / 40 },
        { "reporting-export", "running", head * 3 / 10 },
    };
    SampleRandom random(options.seed ^ 0x5eedULL);
    sqlite3_stmt* processor
        = db.prepare("INSERT INTO emt_processors (processor_id, version, partition, status, last_processed_checkpoint, "
                     "processor_instance_id) VALUES (?1, 1, ?2, ?3, ?4, ?5)");
    for (const Processor& p : processors) {
        const QByteArray position = checkpoint(std::max<qint64>(0, p.position)).toLatin1();
        const QByteArray instance = random.uuid7(SampleDomain::startTimeMs + SampleDomain::spanMs);
        bindText(processor, 1, p.id);
        bindText(processor, 2, defaultPartition);
        bindText(processor, 3, p.status);
        bindText(processor, 4, position);
        bindText(processor, 5, instance);
        db.run(processor);
    }
    db.exec("COMMIT");
    db.exec("PRAGMA journal_mode=DELETE");
    if (progress)
        progress(options.events, options.events);
}

// Message DB 1.3 as its installer creates it: message-db/message-db database/schema/message-store.sql,
// tables/messages.sql, functions/{category,id,cardinal-id,is-category}.sql, indexes/messages-{id,stream,category}.sql.
// The message_store role and its grants are cluster-wide, so they are left out.
constexpr const char* messageDbSchema[] = {
    "CREATE SCHEMA message_store",
    R"(CREATE TABLE IF NOT EXISTS message_store.messages (
  global_position bigserial NOT NULL,
  position bigint NOT NULL,
  id UUID NOT NULL DEFAULT gen_random_uuid(),
  time TIMESTAMP WITHOUT TIME ZONE DEFAULT (now() AT TIME ZONE 'utc') NOT NULL,
  stream_name text NOT NULL,
  type text NOT NULL,
  data jsonb,
  metadata jsonb
))",
    "ALTER TABLE message_store.messages ADD PRIMARY KEY (global_position) NOT DEFERRABLE INITIALLY IMMEDIATE",
    R"(CREATE OR REPLACE FUNCTION message_store.category(
  stream_name varchar
)
RETURNS varchar
AS $$
BEGIN
  RETURN SPLIT_PART(category.stream_name, '-', 1);
END;
$$ LANGUAGE plpgsql
IMMUTABLE)",
    R"(CREATE OR REPLACE FUNCTION message_store.id(
  stream_name varchar
)
RETURNS varchar
AS $$
DECLARE
  _id_separator_position integer;
BEGIN
  _id_separator_position := STRPOS(id.stream_name, '-');
  IF _id_separator_position = 0 THEN
    RETURN NULL;
  END IF;
  RETURN SUBSTRING(id.stream_name, _id_separator_position + 1);
END;
$$ LANGUAGE plpgsql
IMMUTABLE)",
    R"(CREATE OR REPLACE FUNCTION message_store.cardinal_id(
  stream_name varchar
)
RETURNS varchar
AS $$
DECLARE
  _id varchar;
BEGIN
  _id := id(cardinal_id.stream_name);
  IF _id IS NULL THEN
    RETURN NULL;
  END IF;
  RETURN SPLIT_PART(_id, '+', 1);
END;
$$ LANGUAGE plpgsql
IMMUTABLE)",
    R"(CREATE OR REPLACE FUNCTION message_store.is_category(
  stream_name varchar
)
RETURNS boolean
AS $$
BEGIN
  IF NOT STRPOS(is_category.stream_name, '-') = 0 THEN
    RETURN FALSE;
  END IF;
  RETURN TRUE;
END;
$$ LANGUAGE plpgsql
IMMUTABLE)",
};

// Built after the load, as a restore would: the same definitions, far faster than maintaining them row by row.
constexpr const char* messageDbIndexes[] = {
    "CREATE UNIQUE INDEX messages_id ON messages (id)",
    "CREATE UNIQUE INDEX messages_stream ON messages (stream_name, position, "
    "category(metadata->>'correlationStreamName'))",
    "CREATE INDEX messages_category ON messages (category(stream_name), global_position, "
    "category(metadata->>'correlationStreamName'))",
};

// 'YYYY-MM-DD HH:MM:SS.mmm', what Message DB's `now() AT TIME ZONE 'utc'` stores (to the millisecond here).
std::string messageDbTime(qint64 ms)
{
    char text[40] = {};
    formatSqliteTime(ms / 1000 - (ms % 1000 < 0 ? 1 : 0), text);
    std::snprintf(text + 19, sizeof(text) - 19, ".%03d", static_cast<int>(((ms % 1000) + 1000) % 1000));
    return std::string(text);
}

QString pgText(const std::exception& e, const PgAddress& address)
{
    return address.scrub(QString::fromUtf8(e.what()).trimmed());
}

std::string quoted(pqxx::connection_base& c, const QString& identifier)
{
    return c.quote_name(identifier.toStdString());
}

// Where a message was written, as the client that handles it knows it: its stream, position and global position.
struct WrittenMessage {
    QByteArray stream;
    qint64 position = 0;
    qint64 globalPosition = 0;
};

// Eventide metadata: the correlation stream of the process; when the message follows one the store holds, the
// causation keys Messaging::Message::Metadata#follow copies from it (causationMessageStreamName, ...Position,
// ...GlobalPosition); then the application's own keys.
void buildMessageDbMetadata(
    std::string& out, const SampleEvent& e, const QByteArray& correlationStream, const WrittenMessage* cause)
{
    out.assign("{\"schemaVersion\": \"1\", \"correlationStreamName\": \"");
    out.append(correlationStream.constData(), size_t(correlationStream.size()));
    if (cause) {
        out.append("\", \"causationMessageStreamName\": \"")
            .append(cause->stream.constData(), size_t(cause->stream.size()));
        out.append("\", \"causationMessagePosition\": ").append(std::to_string(cause->position));
        out.append(", \"causationMessageGlobalPosition\": ").append(std::to_string(cause->globalPosition));
        out.append(", \"correlationId\": \"");
    } else {
        out.append("\", \"correlationId\": \"");
    }
    out.append(e.correlationId.constData(), size_t(e.correlationId.size()));
    out.append("\", \"causationId\": \"").append(e.causationId.constData(), size_t(e.causationId.size()));
    out.append("\", \"userId\": \"").append(e.userId.constData(), size_t(e.userId.size()));
    out.append("\", \"tenant\": \"").append(e.tenant.constData(), size_t(e.tenant.size()));
    out.append("\"}");
}

void loadMessageDb(
    pqxx::connection& conn, const SampleOptions& options, const std::function<bool(qint64, qint64)>& progress)
{
    {
        pqxx::work tx(conn);
        for (const char* ddl : messageDbSchema)
            tx.exec0(ddl);
        tx.commit();
    }
    SampleDomain domain(options.seed, options.events);
    SampleEvent e;
    std::string metadata;
    QHash<QByteArray, QByteArray> processStream; // correlation id -> the stream that started the process
    // Message id -> where it was written, for the messages that follow it; two generations of recent messages bound
    // the memory (a cause older than both is left out, as if followed from another store).
    QHash<QByteArray, WrittenMessage> written, writtenBefore;
    constexpr qint64 progressEvery = 16384;
    constexpr qint64 commitEvery = 2000000;
    qint64 global = 0;
    while (global < options.events) {
        pqxx::work tx(conn);
        tx.exec0("SET LOCAL synchronous_commit = off");
        pqxx::stream_to copy(tx, "message_store.messages",
            std::vector<std::string> {
                "global_position", "position", "id", "time", "stream_name", "type", "data", "metadata" });
        qint64 inBatch = 0;
        while (inBatch < commitEvery && domain.next(e)) {
            ++global;
            ++inBatch;
            auto it = processStream.find(e.correlationId);
            if (it == processStream.end()) {
                if (processStream.size() > 200000)
                    processStream.clear(); // processes are short; the bound keeps memory flat on huge samples
                it = processStream.insert(e.correlationId, e.stream);
            }
            const WrittenMessage* cause = nullptr;
            if (auto w = written.constFind(e.causationId); w != written.cend())
                cause = &w.value();
            else if (auto b = writtenBefore.constFind(e.causationId); b != writtenBefore.cend())
                cause = &b.value();
            buildMessageDbMetadata(metadata, e, it.value(), cause);
            if (written.size() >= 250000)
                writtenBefore = std::exchange(written, {});
            written.insert(e.messageId, WrittenMessage { e.stream, e.version - 1, global });
            copy << std::make_tuple(global, e.version - 1, e.messageId.toStdString(), messageDbTime(e.timeMs),
                e.stream.toStdString(), e.type.toStdString(), e.data.toStdString(), metadata);
            if (global % progressEvery == 0 && progress && !progress(global, options.events))
                throw StoreError(QStringLiteral("Cancelled."), StoreError::Kind::Cancelled);
        }
        copy.complete();
        tx.commit();
        if (inBatch == 0)
            break;
    }

    pqxx::work tx(conn);
    tx.exec0("SET LOCAL search_path TO message_store");
    tx.exec0("SET LOCAL maintenance_work_mem = '256MB'");
    for (const char* ddl : messageDbIndexes)
        tx.exec0(ddl);
    tx.exec("SELECT setval('message_store.messages_global_position_seq', " + std::to_string(std::max<qint64>(1, global))
        + ", " + (global > 0 ? "true" : "false") + ")");
    // Eventide consumers record their position every 100 messages as Recorded messages in <category>:position-<name>.
    struct Consumer {
        const char* stream;
        qint64 position;
    };
    const Consumer consumers[] = {
        { "account:position-balances", global },
        { "order:position-history", global - global / 400 },
        { "shipment:position-tracking", global - global / 40 },
        { "order:position-reporting", global * 3 / 10 },
    };
    SampleRandom random(options.seed ^ 0x5eedULL);
    for (const Consumer& c : consumers) {
        const qint64 position = std::max<qint64>(0, c.position / 100 * 100);
        tx.exec_params0("INSERT INTO message_store.messages (position, id, time, stream_name, type, data, metadata) "
                        "VALUES (0, $1::uuid, $2::timestamp, $3, 'Recorded', $4::jsonb, NULL)",
            random.uuid4().toStdString(), messageDbTime(SampleDomain::startTimeMs + SampleDomain::spanMs), c.stream,
            "{\"position\": " + std::to_string(position) + "}");
    }
    tx.commit();
    pqxx::nontransaction(conn).exec0("ANALYZE message_store.messages");
}

// Writes into a database it creates, or into an existing one that has no message_store schema yet; on failure or
// cancel it removes what it created.
void writeMessageDbSample(
    const QString& text, const SampleOptions& options, const std::function<bool(qint64, qint64)>& progress)
{
    const PgAddress address = PgAddress::parse(text);
    const QString database = address.database();
    const QString shown = address.redacted();
    const std::string admin = address.withDatabase(QStringLiteral("postgres")).toString().toStdString();
    bool createdDatabase = false;
    std::unique_ptr<pqxx::connection> conn;
    try {
        conn = std::make_unique<pqxx::connection>(text.toStdString());
    } catch (const std::exception& e) {
        const QString message = pgText(e, address);
        if (database.isEmpty() || !message.contains(QLatin1String("does not exist")))
            throw StoreError(
                QStringLiteral("Cannot connect to %1: %2").arg(shown, message), StoreError::Kind::BadAddress);
        try {
            pqxx::connection server(admin);
            pqxx::nontransaction(server).exec0("CREATE DATABASE " + quoted(server, database));
            createdDatabase = true;
            conn = std::make_unique<pqxx::connection>(text.toStdString());
        } catch (const std::exception& e2) {
            throw StoreError(
                QStringLiteral("Cannot create the database %1 on %2: %3").arg(database, shown, pgText(e2, address)),
                StoreError::Kind::BadAddress);
        }
    }
    auto cleanUp = [&] {
        try {
            conn.reset();
            if (createdDatabase) {
                pqxx::connection server(admin);
                pqxx::nontransaction(server).exec0("DROP DATABASE IF EXISTS " + quoted(server, database));
            } else {
                pqxx::connection again(text.toStdString());
                pqxx::nontransaction(again).exec0("DROP SCHEMA IF EXISTS message_store CASCADE");
            }
        } catch (const std::exception&) {
            // Best effort: the original error is what matters.
        }
    };
    if (!createdDatabase) {
        pqxx::nontransaction check(*conn);
        const pqxx::result r = check.exec("SELECT 1 FROM pg_namespace WHERE nspname = 'message_store'");
        if (!r.empty())
            throw StoreError(QStringLiteral("%1 already holds a message_store schema; the sample writer only writes "
                                            "into a database or schema it creates.")
                                 .arg(shown),
                StoreError::Kind::BadAddress);
    }
    try {
        loadMessageDb(*conn, options, progress);
    } catch (const StoreError&) {
        cleanUp();
        throw;
    } catch (const std::exception& e) {
        const QString message = pgText(e, address);
        cleanUp();
        throw StoreError(QStringLiteral("Writing the sample to %1 failed: %2").arg(shown, message));
    }
    if (progress)
        progress(options.events, options.events);
}

} // namespace

QStringList sampleLayouts()
{
    return { QStringLiteral("emmett"), QStringLiteral("messagedb") };
}

void writeSampleStore(
    const QString& path, const SampleOptions& options, const std::function<bool(qint64, qint64)>& progress)
{
    if (!sampleLayouts().contains(options.layout))
        throw StoreError(QStringLiteral("Cannot write a sample store in layout \"%1\" (available: %2).")
                             .arg(options.layout, sampleLayouts().join(QStringLiteral(", "))),
            StoreError::Kind::UnknownLayout);
    if (options.events < 1)
        throw StoreError(QStringLiteral("A sample store needs at least one event."));
    const bool postgres = PgAddress::looksLikeAddress(path);
    const bool wantsPostgres = options.layout == QLatin1String("messagedb");
    if (postgres != wantsPostgres)
        throw StoreError(wantsPostgres
                ? QStringLiteral("The messagedb layout is written to PostgreSQL: give a postgresql:// address.")
                : QStringLiteral("The %1 layout is written to a SQLite file, not to PostgreSQL (for PostgreSQL use "
                                 "--layout messagedb).")
                      .arg(options.layout),
            StoreError::Kind::UnknownLayout);
    if (postgres) {
        writeMessageDbSample(path, options, progress);
        return;
    }
    const QFileInfo target(path);
    if (target.exists() || target.isSymLink())
        throw StoreError(QStringLiteral("%1 already exists; the sample writer only creates new files.").arg(path),
            StoreError::Kind::BadAddress);
    const QDir folder = target.absoluteDir();
    if (!folder.exists())
        throw StoreError(
            QStringLiteral("The folder %1 does not exist.").arg(folder.path()), StoreError::Kind::BadAddress);

    QString temp;
    for (int i = 0; temp.isEmpty() || QFileInfo::exists(temp); ++i)
        temp = folder.filePath(QStringLiteral(".%1.partial-%2-%3").arg(target.fileName()).arg(::getpid()).arg(i));

    auto removeTemp = [&temp] {
        QFile::remove(temp);
        QFile::remove(temp + QStringLiteral("-journal"));
    };
    try {
        SqliteWriter db(temp);
        writeEmmett(db, options, progress);
    } catch (...) {
        removeTemp();
        throw;
    }
    // QFile::rename never replaces an existing file, so a file created meanwhile is kept.
    if (!QFile::rename(temp, target.absoluteFilePath())) {
        removeTemp();
        throw StoreError(QStringLiteral("Cannot move the new store to %1.").arg(path), StoreError::Kind::BadAddress);
    }
}

} // namespace es
