#include "activity/histogram.h"
#include "display/timeformat.h"
#include "pg/pgstore.h"
#include "samplewriter.h"
#include "sqlite/sqlitestore.h"
#include "testutils.h"

#include <QCoreApplication>
#include <QTemporaryDir>

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <cstdlib>
#include <ctime>
#include <map>

using namespace es;

namespace {

using Counts = std::map<std::pair<qint64, QString>, qint64>;

Counts fromHistogram(const Histogram& h)
{
    Counts out;
    for (size_t b = 0; b < h.buckets.size(); ++b)
        for (int g = 0; g < h.groups.size(); ++g)
            if (h.counts[b][size_t(g)] > 0)
                out[{ h.buckets[b], h.groups[g] }] = h.counts[b][size_t(g)];
    return out;
}

// The direct GROUP BY, written independently of the engine (strftime, month from its text).
Counts directSqlite(const QString& path, qint64 bucketSeconds, const char* group = "message_type")
{
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    const QString bucket = bucketSeconds > 0
        ? QStringLiteral("(CAST(strftime('%s', created) AS INTEGER) / %1) * %1").arg(bucketSeconds)
        : QStringLiteral("strftime('%Y-%m', created)");
    const QString sql = QStringLiteral("SELECT ") + bucket + QStringLiteral(", ") + QLatin1String(group)
        + QStringLiteral(", count(*) FROM emt_messages WHERE is_archived = 0 AND message_kind = 'E' "
                         "GROUP BY 1, 2");
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.toUtf8().constData(), -1, &stmt, nullptr) == SQLITE_OK);
    Counts out;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        qint64 start = sqlite3_column_int64(stmt, 0);
        if (bucketSeconds <= 0) {
            const QString month = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
            start = QDateTime(
                QDate::fromString(month + QStringLiteral("-01"), QStringLiteral("yyyy-MM-dd")), QTime(0, 0), Qt::UTC)
                        .toSecsSinceEpoch();
        }
        out[{ start, QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1))) }]
            = sqlite3_column_int64(stmt, 2);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
}

std::vector<HistogramRow> rowsOf(const Counts& counts)
{
    std::vector<HistogramRow> rows;
    for (const auto& [key, count] : counts)
        rows.push_back({ key.first, key.second, count });
    return rows;
}

std::map<qint64, qint64> perBucket(const Counts& counts)
{
    std::map<qint64, qint64> out;
    for (const auto& [key, count] : counts)
        out[key.first] += count;
    return out;
}

// The database's top-N cut against the client's over every (bucket, group) row, which is what the chart showed
// before the cut moved into SQL: the same groups in the same order, the same counts, at most N + 1 rows a bucket.
void checkTopNCut(EventStore& store, const Counts& direct, qint64 bucketSeconds, int topN)
{
    INFO("bucket " << bucketSeconds << " top " << topN);
    HistogramQuery q;
    q.bucketSeconds = bucketSeconds;
    q.groupBy = HistogramQuery::GroupBy::Stream;
    q.topN = topN;
    const Histogram h = store.histogram(q);
    const Histogram expected = Histogram::fromRows(rowsOf(direct), bucketSeconds, topN);
    CHECK(h.groups == expected.groups);
    CHECK(h.buckets == expected.buckets);
    CHECK(h.counts == expected.counts);
    CHECK(h.total == expected.total);
    CHECK(h.hasOther == expected.hasOther);
    CHECK(h.hasOther);
    CHECK(h.rowsFetched <= qint64(h.buckets.size()) * (topN + 1));
    CHECK(h.rowsFetched < qint64(direct.size()));
    const std::map<qint64, qint64> totals = perBucket(direct);
    REQUIRE(totals.size() == h.buckets.size());
    for (size_t b = 0; b < h.buckets.size(); ++b)
        CHECK(h.bucketTotal(int(b)) == totals.at(h.buckets[b]));
}

class ScopedTz {
public:
    explicit ScopedTz(const char* tz)
    {
        if (const char* old = std::getenv("TZ"))
            m_old = old;
        m_had = std::getenv("TZ") != nullptr;
        setenv("TZ", tz, 1);
        tzset();
    }
    ~ScopedTz()
    {
        if (m_had)
            setenv("TZ", m_old.c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }

private:
    std::string m_old;
    bool m_had = false;
};

} // namespace

TEST_CASE("bucket maths", "[histogram]")
{
    using namespace es::histogram;
    CHECK(chooseBucketSeconds(60, 120) == 1);
    CHECK(chooseBucketSeconds(121, 120) == 2);
    CHECK(chooseBucketSeconds(3600, 120) == 30);
    CHECK(chooseBucketSeconds(3601, 60) == 2 * 60);
    CHECK(chooseBucketSeconds(86400, 24) == 3600);
    CHECK(chooseBucketSeconds(86400 * 30, 60) == 12 * 3600);
    CHECK(chooseBucketSeconds(86400 * 365, 120) == 7 * 86400);
    CHECK(chooseBucketSeconds(86400 * 365 * 5, 120) == HistogramQuery::Month);
    CHECK(chooseBucketSeconds(0) == 1);

    const qint64 t = QDateTime(QDate(2024, 2, 29), QTime(13, 47, 12), Qt::UTC).toSecsSinceEpoch();
    CHECK(toUtc(bucketStart(t, 60)) == QDateTime(QDate(2024, 2, 29), QTime(13, 47), Qt::UTC));
    CHECK(toUtc(bucketStart(t, 3600)) == QDateTime(QDate(2024, 2, 29), QTime(13, 0), Qt::UTC));
    CHECK(toUtc(bucketStart(t, 86400)) == QDateTime(QDate(2024, 2, 29), QTime(0, 0), Qt::UTC));
    CHECK(toUtc(bucketStart(t, HistogramQuery::Month)) == QDateTime(QDate(2024, 2, 1), QTime(0, 0), Qt::UTC));
    CHECK(toUtc(bucketEnd(bucketStart(t, HistogramQuery::Month), HistogramQuery::Month))
        == QDateTime(QDate(2024, 3, 1), QTime(0, 0), Qt::UTC));
    CHECK(bucketEnd(bucketStart(t, 3600), 3600) - bucketStart(t, 3600) == 3600);
    CHECK(bucketStart(-1, 60) == -60);
    CHECK(bucketName(3600) == QStringLiteral("1 hour"));
    CHECK(bucketName(300) == QStringLiteral("5 minutes"));
    CHECK(bucketName(HistogramQuery::Month) == QStringLiteral("1 month"));

    SECTION("labels are in the shown zone, buckets stay UTC")
    {
        const ScopedTz tz("Asia/Kolkata"); // +05:30, no daylight saving
        const qint64 hour = bucketStart(t, 3600);
        CHECK(toUtc(hour) == QDateTime(QDate(2024, 2, 29), QTime(13, 0), Qt::UTC));
        CHECK(TimeFormat::instance()->isUtc());
        CHECK(bucketLabel(hour, 3600) == QStringLiteral("2024-02-29 13:00"));
        TimeFormat::instance()->setZone(TimeFormat::Zone::Local);
        CHECK(bucketLabel(hour, 3600) == QStringLiteral("2024-02-29 18:30"));
        TimeFormat::instance()->setZone(TimeFormat::Zone::Utc);
        CHECK(bucketLabel(bucketStart(t, HistogramQuery::Month), HistogramQuery::Month) == QStringLiteral("2024-02"));
    }
}

TEST_CASE("top N groups and other", "[histogram]")
{
    const std::vector<HistogramRow> rows { { 0, QStringLiteral("a"), 5 }, { 0, QStringLiteral("b"), 3 },
        { 60, QStringLiteral("c"), 1 }, { 60, QStringLiteral("a"), 2 }, { 120, QStringLiteral("d"), 1 } };
    const Histogram h = Histogram::fromRows(rows, 60, 2);
    CHECK(h.groups == QStringList { QStringLiteral("a"), QStringLiteral("b"), Histogram::otherLabel() });
    CHECK(h.buckets == std::vector<qint64> { 0, 60, 120 });
    CHECK(h.counts[0] == std::vector<qint64> { 5, 3, 0 });
    CHECK(h.counts[1] == std::vector<qint64> { 2, 0, 1 });
    CHECK(h.counts[2] == std::vector<qint64> { 0, 0, 1 });
    CHECK(h.total == 12);
    CHECK(h.hasOther);
    CHECK(Histogram::fromRows(rows, 60, 10).groups.size() == 4);

    // Rows the database already cut: "other" rows go to other, whatever their group text.
    const std::vector<HistogramRow> cut { { 0, QStringLiteral("a"), 5 }, { 0, QString(), 4, true },
        { 60, QStringLiteral("a"), 1 }, { 60, QString(), 2, true } };
    const Histogram c = Histogram::fromRows(cut, 60, 1);
    CHECK(c.groups == QStringList { QStringLiteral("a"), Histogram::otherLabel() });
    CHECK(c.counts[0] == std::vector<qint64> { 5, 4 });
    CHECK(c.counts[1] == std::vector<qint64> { 1, 2 });
    CHECK(c.hasOther);
    CHECK(c.total == 12);
    CHECK(c.rowsFetched == 4);
}

TEST_CASE("SQLite histogram equals a direct GROUP BY", "[histogram]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sample.sqlite"));
    writeSampleStore(path, { 20000, 7, QStringLiteral("emmett") });
    auto store = SqliteStore::open(path);

    for (const qint64 bucket : { qint64(60), qint64(3600), qint64(86400), HistogramQuery::Month }) {
        for (const char* tz : { "UTC", "America/New_York", "Asia/Kolkata" }) {
            const ScopedTz scoped(tz);
            INFO("bucket " << bucket << " TZ " << tz);
            HistogramQuery q;
            q.bucketSeconds = bucket;
            q.groupBy = HistogramQuery::GroupBy::Type;
            q.topN = 1000;
            const Histogram h = store->histogram(q);
            CHECK(h.total == 20000);
            CHECK_FALSE(h.hasOther);
            const Counts direct = directSqlite(path, bucket);
            CHECK(direct.size() > 1);
            CHECK(fromHistogram(h) == direct);
        }
    }

    SECTION("filters and ranges mean what they mean for events()")
    {
        const StoreInfo info = store->info();
        REQUIRE(info.firstTime.isValid());
        HistogramQuery q;
        q.bucketSeconds = 3600;
        q.filter.category = QStringLiteral("order");
        const CategoryList cats = store->categories();
        REQUIRE(!cats.empty());
        q.filter.category = cats.front().name;
        q.from = info.firstTime.addSecs((info.lastTime.toSecsSinceEpoch() - info.firstTime.toSecsSinceEpoch()) / 3);
        const Histogram h = store->histogram(q);
        EventFilter f;
        f.category = q.filter.category;
        f.fromTime = q.from;
        CHECK(h.total == store->scopeStats(f).count);
        CHECK(h.total > 0);
        CHECK(h.buckets.front() >= histogram::bucketStart(q.from.toSecsSinceEpoch(), 3600));

        q.groupBy = HistogramQuery::GroupBy::Stream;
        q.topN = 3;
        const Histogram s = store->histogram(q);
        CHECK(s.total == h.total);
        CHECK(s.groups.size() == 4);
        CHECK(s.groups.last() == Histogram::otherLabel());
    }
}

TEST_CASE("SQLite: the top N streams are cut in the database, with the client's ranking", "[histogram]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sample.sqlite"));
    writeSampleStore(path, { 20000, 7, QStringLiteral("emmett") });
    auto store = SqliteStore::open(path);
    for (const qint64 bucket : { qint64(3600), qint64(86400) }) {
        const Counts direct = directSqlite(path, bucket, "stream_id");
        for (const int topN : { 1, 3, 8 })
            checkTopNCut(*store, direct, bucket, topN);
    }
}

TEST_CASE("PostgreSQL: the top N streams are cut in the database, with the client's ranking", "[histogram][pg]")
{
    ES_REQUIRE_PG("PostgreSQL top-N test")
    test::PgTestDatabase db(QStringLiteral("histtop"));
    const QString address = db.address();
    writeSampleStore(address, { 5000, 3, QStringLiteral("messagedb") });
    auto store = PgStore::open(address);
    for (const qint64 bucket : { qint64(3600), qint64(86400) }) {
        const QString sql = QStringLiteral("COPY (SELECT (floor(extract(epoch from time) / %1) * %1)::bigint, "
                                           "stream_name, count(*) FROM message_store.messages GROUP BY 1, 2) TO STDOUT")
                                .arg(bucket);
        QByteArray out, err;
        REQUIRE(test::psql(address, { QStringLiteral("-c"), sql }, &out, &err) == 0);
        Counts direct;
        for (const QByteArray& line : out.split('\n')) {
            const QList<QByteArray> f = line.split('\t');
            if (f.size() == 3)
                direct[{ f[0].toLongLong(), QString::fromUtf8(f[1]) }] = f[2].toLongLong();
        }
        for (const int topN : { 1, 3, 8 })
            checkTopNCut(*store, direct, bucket, topN);
    }
}

TEST_CASE("PostgreSQL histogram equals a direct GROUP BY", "[histogram][pg]")
{
    ES_REQUIRE_PG("PostgreSQL histogram test")
    test::PgTestDatabase db(QStringLiteral("hist"));
    const QString address = db.address();
    writeSampleStore(address, { 5000, 3, QStringLiteral("messagedb") });
    auto store = PgStore::open(address);

    for (const qint64 bucket : { qint64(60), qint64(3600), qint64(86400), HistogramQuery::Month }) {
        INFO("bucket " << bucket);
        HistogramQuery q;
        q.bucketSeconds = bucket;
        q.groupBy = HistogramQuery::GroupBy::Type;
        q.topN = 1000;
        const Histogram h = store->histogram(q);
        CHECK(h.total == store->scopeStats({}).count);
        CHECK(h.total >= 5000);
        const QString bucketSql = bucket > 0
            ? QStringLiteral("(floor(extract(epoch from time) / %1) * %1)::bigint").arg(bucket)
            : QStringLiteral("extract(epoch from date_trunc('month', time))::bigint");
        // A session in a non-UTC zone: time is timestamp without time zone (UTC), so buckets do not move.
        const QString sql = QStringLiteral("SET TimeZone = 'America/New_York'; COPY (SELECT ") + bucketSql
            + QStringLiteral(", type, count(*) FROM message_store.messages GROUP BY 1, 2) TO STDOUT");
        QByteArray out, err;
        REQUIRE(test::psql(address, { QStringLiteral("-c"), sql }, &out, &err) == 0);
        Counts direct;
        for (const QByteArray& line : out.split('\n')) {
            const QList<QByteArray> f = line.split('\t');
            if (f.size() == 3)
                direct[{ f[0].toLongLong(), QString::fromUtf8(f[1]) }] = f[2].toLongLong();
        }
        CHECK(direct.size() > 1);
        CHECK(fromHistogram(h) == direct);
    }
}
