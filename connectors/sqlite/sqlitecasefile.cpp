#include "sqlite/sqlitecasefile.h"

#include "casefile/casefile.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <sqlite3.h>

namespace es {

namespace {

// The case tables, after the Emmett tables the exporter wrote. Described in docs/CASEFILE.md.
const char* const caseSchema[] = {
    "CREATE TABLE es_case (key TEXT PRIMARY KEY NOT NULL, value TEXT)",
    "CREATE TABLE es_case_places (place_id INTEGER PRIMARY KEY, kind TEXT NOT NULL, position INTEGER, stream TEXT, "
    "version INTEGER, filter TEXT, note TEXT)",
    "CREATE TABLE es_case_views (name TEXT PRIMARY KEY NOT NULL, json TEXT NOT NULL)",
    "CREATE TABLE es_case_reducers (name TEXT PRIMARY KEY NOT NULL, source TEXT NOT NULL)",
};
constexpr int FormatVersion = 1;

class Connection {
public:
    Connection(const QString& path, bool write)
    {
        const int flags = write ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
        if (sqlite3_open_v2(QFile::encodeName(path).constData(), &m_db, flags, nullptr) != SQLITE_OK) {
            const QString message = QString::fromUtf8(sqlite3_errmsg(m_db));
            sqlite3_close(m_db);
            m_db = nullptr;
            throw StoreError(
                QStringLiteral("Cannot open the case file %1: %2").arg(path, message), StoreError::Kind::BadAddress);
        }
    }
    ~Connection() { sqlite3_close(m_db); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void exec(const char* sql)
    {
        char* message = nullptr;
        if (sqlite3_exec(m_db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
            const QString text = QString::fromUtf8(message ? message : sqlite3_errmsg(m_db));
            sqlite3_free(message);
            throw StoreError(QStringLiteral("Case file: %1").arg(text), StoreError::Kind::Io);
        }
    }
    // Runs a prepared statement with bound values (text, integers, or null for a null QVariant).
    void run(const char* sql, const QVariantList& values)
    {
        sqlite3_stmt* s = prepare(sql);
        int i = 1;
        for (const QVariant& v : values) {
            if (v.isNull()) {
                sqlite3_bind_null(s, i++);
            } else if (v.typeId() == QMetaType::LongLong || v.typeId() == QMetaType::Int) {
                sqlite3_bind_int64(s, i++, v.toLongLong());
            } else {
                const QByteArray text = v.toString().toUtf8();
                sqlite3_bind_text(s, i++, text.constData(), int(text.size()), SQLITE_TRANSIENT);
            }
        }
        const int rc = sqlite3_step(s);
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE)
            fail();
    }
    // Each row's columns as text (null: a null QString) or integers.
    std::vector<QVariantList> rows(const char* sql)
    {
        sqlite3_stmt* s = prepare(sql);
        std::vector<QVariantList> out;
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            QVariantList row;
            for (int c = 0; c < sqlite3_column_count(s); ++c) {
                switch (sqlite3_column_type(s, c)) {
                case SQLITE_NULL:
                    row.append(QVariant());
                    break;
                case SQLITE_INTEGER:
                    row.append(QVariant(qint64(sqlite3_column_int64(s, c))));
                    break;
                default:
                    row.append(QString::fromUtf8(
                        reinterpret_cast<const char*>(sqlite3_column_text(s, c)), sqlite3_column_bytes(s, c)));
                }
            }
            out.push_back(row);
        }
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE)
            fail();
        return out;
    }

private:
    sqlite3_stmt* prepare(const char* sql)
    {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(m_db, sql, -1, &s, nullptr) != SQLITE_OK)
            fail();
        return s;
    }
    [[noreturn]] void fail()
    {
        throw StoreError(QStringLiteral("Case file: %1").arg(QString::fromUtf8(sqlite3_errmsg(m_db))),
            StoreError::Kind::MissingTable);
    }
    sqlite3* m_db = nullptr;
};

QVariant orNull(qint64 v)
{
    return v >= 0 ? QVariant(v) : QVariant();
}

QVariant orNull(const QString& s)
{
    return s.isNull() ? QVariant() : QVariant(s);
}

void writeTables(const QString& path, const CaseContents& c)
{
    Connection db(path, true);
    db.exec("BEGIN");
    for (const char* ddl : caseSchema)
        db.exec(ddl);
    const char* info = "INSERT INTO es_case (key, value) VALUES (?1, ?2)";
    const QString redacted
        = QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(c.redacted)).toJson(QJsonDocument::Compact));
    const std::pair<const char*, QVariant> keys[] = {
        { "format", QStringLiteral("eventscope-case") },
        { "format_version", QString::number(FormatVersion) },
        { "title", orNull(c.title) },
        { "source", orNull(c.source) },
        { "created", c.created.toUTC().toString(Qt::ISODateWithMs) },
        { "redacted", redacted },
        { "events", QString::number(c.events) },
        { "reducer", orNull(c.reducerName) },
    };
    for (const auto& [key, value] : keys)
        db.run(info, { QString::fromLatin1(key), value });
    for (const CasePlace& p : c.places) {
        db.run("INSERT INTO es_case_places (kind, position, stream, version, filter, note) VALUES (?1, ?2, ?3, ?4, "
               "?5, ?6)",
            { p.kind, orNull(p.position), orNull(p.stream), orNull(p.version), orNull(p.filter), orNull(p.note) });
    }
    for (const CaseView& v : c.views)
        db.run("INSERT INTO es_case_views (name, json) VALUES (?1, ?2)", { v.name, v.json });
    if (!c.reducerName.isEmpty())
        db.run("INSERT INTO es_case_reducers (name, source) VALUES (?1, ?2)", { c.reducerName, c.reducerSource });
    db.exec("COMMIT");
}

CaseContents readTables(const QString& path)
{
    Connection db(path, false);
    CaseContents c;
    for (const QVariantList& row : db.rows("SELECT key, value FROM es_case")) {
        const QString key = row.value(0).toString();
        const QString value = row.value(1).toString();
        if (key == QLatin1String("title"))
            c.title = value;
        else if (key == QLatin1String("source"))
            c.source = value;
        else if (key == QLatin1String("created"))
            c.created = QDateTime::fromString(value, Qt::ISODateWithMs);
        else if (key == QLatin1String("events"))
            c.events = value.toLongLong();
        else if (key == QLatin1String("reducer"))
            c.reducerName = value;
        else if (key == QLatin1String("redacted")) {
            for (const QJsonValue& v : QJsonDocument::fromJson(value.toUtf8()).array())
                c.redacted.append(v.toString());
        }
    }
    auto number = [](const QVariant& v) { return v.isNull() ? qint64(-1) : v.toLongLong(); };
    for (const QVariantList& row :
        db.rows("SELECT kind, position, stream, version, filter, note FROM es_case_places ORDER BY place_id")) {
        CasePlace p;
        p.kind = row.value(0).toString();
        p.position = number(row.value(1));
        p.stream = row.value(2).toString();
        p.version = number(row.value(3));
        p.filter = row.value(4).toString();
        p.note = row.value(5).toString();
        c.places.push_back(p);
    }
    for (const QVariantList& row : db.rows("SELECT name, json FROM es_case_views ORDER BY name"))
        c.views.push_back({ row.value(0).toString(), row.value(1).toString() });
    for (const QVariantList& row : db.rows("SELECT name, source FROM es_case_reducers ORDER BY name")) {
        if (row.value(0).toString() == c.reducerName)
            c.reducerSource = row.value(1).toString();
    }
    return c;
}

} // namespace

void SqliteCaseFile::registerEngine()
{
    CaseFile::registerEngine(&writeTables, &readTables);
}

} // namespace es
