#include <catch2/catch.hpp>

#include "display/timeformat.h"
#include "display/typepalette.h"
#include "models/streamtreemodel.h"
#include "store/storeregistry.h"
#include "store/storesession.h"
#include "test_models_support.h"
#include "testutils.h"

#include <QAbstractItemModelTester>
#include <QTemporaryDir>

#include <map>
#include <set>

#include <ctime>

using namespace es;
using es::test::emmett::Spec;

namespace {

// What a store should answer for the streams written in this order: per stream its events and its last write.
struct Expected {
    struct Stream {
        QString name;
        qint64 events = 0;
        int lastWrite = -1;
    };
    std::map<QString, Stream> streams;

    explicit Expected(const QStringList& writes)
    {
        for (int i = 0; i < writes.size(); ++i) {
            Stream& s = streams[writes[i]];
            s.name = writes[i];
            ++s.events;
            s.lastWrite = i;
        }
    }
    QStringList ordered(StreamOrder order, bool descending, const QString& prefix = {}) const
    {
        std::vector<Stream> list;
        for (const auto& [name, s] : streams) {
            if (name.startsWith(prefix))
                list.push_back(s);
        }
        std::sort(list.begin(), list.end(), [&](const Stream& a, const Stream& b) {
            if (order == StreamOrder::Name)
                return descending ? a.name > b.name : a.name < b.name;
            const qint64 va = order == StreamOrder::Events ? a.events : a.lastWrite;
            const qint64 vb = order == StreamOrder::Events ? b.events : b.lastWrite;
            if (va != vb)
                return descending ? va > vb : va < vb;
            return a.name < b.name; // ties by name, ascending either way
        });
        QStringList names;
        for (const Stream& s : list)
            names << s.name;
        return names;
    }
};

// Pages of `limit` streams continued by keyset, as the stream browser reads them.
StreamList readAll(EventStore& store, StreamQuery query, int limit, int* statements = nullptr)
{
    StreamList all;
    query.limit = limit;
    for (int guard = 0; guard < 1000; ++guard) {
        const StreamList page = store.streams(query);
        if (statements)
            ++*statements;
        all.insert(all.end(), page.begin(), page.end());
        if (int(page.size()) < limit)
            break;
        query.after = page.back().name;
        query.afterValue = query.order == StreamOrder::Events ? page.back().events : page.back().lastPosition;
    }
    return all;
}

QStringList namesOf(const StreamList& list)
{
    QStringList names;
    for (const StreamInfo& s : list)
        names << s.name;
    return names;
}

void checkOrders(EventStore& store, const Expected& expected, const QString& category)
{
    struct Case {
        StreamOrder order;
        bool descending;
    };
    for (const Case c : { Case { StreamOrder::Name, false }, Case { StreamOrder::Name, true },
             Case { StreamOrder::Events, true }, Case { StreamOrder::Events, false },
             Case { StreamOrder::LastActivity, true }, Case { StreamOrder::LastActivity, false } }) {
        CAPTURE(int(c.order), c.descending);
        StreamQuery query;
        query.order = c.order;
        query.descending = c.descending;
        query.withLastTime = true;
        int statements = 0;
        const StreamList all = readAll(store, query, 2, &statements);
        CHECK(namesOf(all) == expected.ordered(c.order, c.descending));
        // Pages of two: every page was one statement, none read the whole list at once.
        CHECK(statements == int(expected.streams.size()) / 2 + 1);
        for (const StreamInfo& s : all) {
            CAPTURE(s.name);
            CHECK(s.events == expected.streams.at(s.name).events);
            CHECK(s.lastTime.isValid());
        }
        // Within a category.
        query.category = category;
        CHECK(
            namesOf(readAll(store, query, 2)) == expected.ordered(c.order, c.descending, category + QLatin1Char('-')));
    }
    // Last activity: the latest stream's last time is the newest of all.
    StreamQuery latest;
    latest.order = StreamOrder::LastActivity;
    latest.descending = true;
    latest.limit = 1;
    latest.withLastTime = true;
    const StreamList first = store.streams(latest);
    REQUIRE(first.size() == 1);
    for (const StreamInfo& s : readAll(store, latest, 3))
        CHECK(s.lastTime <= first.front().lastTime);
}

} // namespace

TEST_CASE("Streams sort by events and last activity in the database, paged by keyset (SQLite)", "[streams][sort]")
{
    QTemporaryDir dir;
    REQUIRE(dir.isValid());
    Spec spec;
    spec.streams = 7;
    spec.events = 7 * 2 + 3; // streams 0-2 have three events, the others two
    const QString path = es::test::emmett::write(es::test::tempPath(dir, QStringLiteral("sorted.sqlite")), spec);
    QStringList writes;
    for (int i = 0; i < spec.events; ++i)
        writes << spec.streamOf(i);
    auto store = StoreRegistry::open(path);
    checkOrders(*store, Expected(writes), QStringLiteral("order"));

    // The stream written last has the time of the last event.
    StreamQuery latest;
    latest.order = StreamOrder::LastActivity;
    latest.descending = true;
    latest.limit = 1;
    const StreamList first = store->streams(latest);
    REQUIRE(first.size() == 1);
    CHECK(first.front().name == spec.streamOf(spec.events - 1));
    CHECK(first.front().lastTime == Spec::timeOf(spec.events - 1));
}

TEST_CASE(
    "Streams sort by events and last activity in the database, paged by keyset (PostgreSQL)", "[streams][sort][pg]")
{
    ES_REQUIRE_PG("PostgreSQL stream sort test")
    es::test::PgTestDatabase db(QStringLiteral("streams_sorted"), { QStringLiteral("messagedb.sql") });
    db.sql(QStringLiteral("DELETE FROM message_store.messages"));
    const QStringList writes { QStringLiteral("account-1"), QStringLiteral("order-1"), QStringLiteral("account-2"),
        QStringLiteral("order-1"), QStringLiteral("account-1"), QStringLiteral("order-2"), QStringLiteral("order-1"),
        QStringLiteral("account-3"), QStringLiteral("order-3"), QStringLiteral("order-3") };
    QString sql;
    for (const QString& stream : writes)
        sql += es::test::messageDbWrite(stream);
    db.sql(sql);
    auto store = StoreRegistry::open(db.address());
    REQUIRE(store->info().layout == QLatin1String("messagedb"));
    checkOrders(*store, Expected(writes), QStringLiteral("account"));
}

TEST_CASE("Stream tree: sorting by last activity and events, the open stream, live counts", "[models][tree][sort]")
{
    QTemporaryDir dir;
    REQUIRE(dir.isValid());
    Spec spec;
    spec.streams = 40;
    spec.events = 40 * 3 + 5;
    const QString path = es::test::emmett::write(es::test::tempPath(dir, QStringLiteral("tree.sqlite")), spec);
    StoreSession session(StoreOpener { path, {} });
    StreamTreeModel model;
    model.setPageSize(4);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setSession(&session);
    REQUIRE(es::test::waitFor([&] { return model.rowCount() == 4 && !model.isLoading(); }));

    QStringList writes;
    for (int i = 0; i < spec.events; ++i)
        writes << spec.streamOf(i);
    const Expected expected(writes);

    auto childrenOf = [&](const QString& category) {
        QModelIndex parent;
        for (int row = 0; row < model.rowCount(); ++row) {
            if (model.index(row, 0).data(StreamTreeModel::CategoryRole).toString() == category)
                parent = model.index(row, 0);
        }
        REQUIRE(parent.isValid());
        REQUIRE(es::test::waitFor([&] {
            if (model.canFetchMore(parent))
                model.fetchMore(parent);
            return !model.isLoading() && !model.canFetchMore(parent);
        }));
        QStringList names;
        for (int row = 0; row < model.rowCount(parent); ++row)
            names << model.index(row, 0, parent).data(StreamTreeModel::StreamNameRole).toString();
        return std::make_pair(parent, names);
    };

    SECTION("last activity, most recent first, in pages of four")
    {
        model.sort(StreamTreeModel::LastActivityColumn, Qt::DescendingOrder);
        CHECK(model.order() == StreamOrder::LastActivity);
        REQUIRE(es::test::waitFor([&] { return model.rowCount() == 4 && !model.isLoading(); }));
        // Categories by their last event: the category of the last stream written first.
        CHECK(
            model.index(0, 0).data(StreamTreeModel::CategoryRole).toString() == Spec::category((spec.events - 1) % 40));
        const auto [parent, names] = childrenOf(QStringLiteral("account"));
        CHECK(names == expected.ordered(StreamOrder::LastActivity, true, QStringLiteral("account-")));
        const QModelIndex first = model.index(0, StreamTreeModel::LastActivityColumn, parent);
        const QDateTime last = first.data(StreamTreeModel::LastTimeRole).toDateTime();
        CHECK(last.isValid());
        CHECK(first.data().toString() == TimeFormat::format(last, TimeFormat::Precision::Seconds));
    }
    SECTION("events, most first; the header's first click sorts descending")
    {
        CHECK(model.headerData(StreamTreeModel::EventsColumn, Qt::Horizontal, Qt::InitialSortOrderRole).toInt()
            == Qt::DescendingOrder);
        model.sort(StreamTreeModel::EventsColumn, Qt::DescendingOrder);
        REQUIRE(es::test::waitFor([&] { return model.rowCount() == 4 && !model.isLoading(); }));
        const auto [parent, names] = childrenOf(QStringLiteral("order"));
        CHECK(names == expected.ordered(StreamOrder::Events, true, QStringLiteral("order-")));
        CHECK(model.index(0, StreamTreeModel::EventsColumn, parent).data().toLongLong() == 4);
    }
    SECTION("the open stream and its category are marked; live events move counts and last activity on")
    {
        const auto [parent, names] = childrenOf(QStringLiteral("shipment"));
        REQUIRE(!names.isEmpty());
        const QString stream = names.front();
        model.setOpen(stream, QStringLiteral("shipment"));
        CHECK(model.index(0, 0, parent).data(StreamTreeModel::IsOpenRole).toBool());
        CHECK(parent.data(StreamTreeModel::IsOpenRole).toBool());
        CHECK_FALSE(model.index(1, 0, parent).data(StreamTreeModel::IsOpenRole).toBool());

        const qint64 before = model.index(0, 0, parent).data(StreamTreeModel::EventCountRole).toLongLong();
        const qint64 categoryBefore = parent.data(StreamTreeModel::EventCountRole).toLongLong();
        Event e;
        e.stream = stream;
        e.position = 100000;
        e.version = 99;
        e.type = QStringLiteral("ItemAdded");
        e.time = QDateTime(QDate(2030, 1, 1), QTime(12, 0), QTimeZone::utc());
        model.noteEvents({ e, e });
        CHECK(model.index(0, 0, parent).data(StreamTreeModel::EventCountRole).toLongLong() == before + 2);
        CHECK(model.index(0, 0, parent).data(StreamTreeModel::LastTimeRole).toDateTime() == e.time);
        CHECK(parent.data(StreamTreeModel::EventCountRole).toLongLong() == categoryBefore + 2);
        CHECK(parent.data(StreamTreeModel::LastTimeRole).toDateTime() == e.time);

        // A stream of a category whose streams are not loaded: the store names the category, which moves on.
        QModelIndex reorder;
        for (int row = 0; row < model.rowCount(); ++row) {
            if (model.index(row, 0).data(StreamTreeModel::CategoryRole).toString() == QStringLiteral("reorder"))
                reorder = model.index(row, 0);
        }
        REQUIRE(reorder.isValid());
        const qint64 reorderBefore = reorder.data(StreamTreeModel::EventCountRole).toLongLong();
        Event r = e;
        r.stream = spec.streamOf(3);
        model.noteEvents({ r });
        CHECK(es::test::waitFor(
            [&] { return reorder.data(StreamTreeModel::EventCountRole).toLongLong() == reorderBefore + 1; }));
        CHECK(reorder.data(StreamTreeModel::StreamCountRole).toLongLong() == 10); // not a new stream
    }
    model.setSession(nullptr);
}

TEST_CASE("Time format: one format, UTC or local", "[display][timeformat]")
{
    const QDateTime t(QDate(2024, 2, 29), QTime(13, 5, 7, 89), QTimeZone::utc());
    CHECK(TimeFormat::format(t, TimeFormat::Zone::Utc) == QStringLiteral("2024-02-29 13:05:07.089"));
    CHECK(TimeFormat::format(t, TimeFormat::Zone::Utc, TimeFormat::Precision::Seconds)
        == QStringLiteral("2024-02-29 13:05:07"));
    CHECK(TimeFormat::format(t, TimeFormat::Zone::Utc, TimeFormat::Precision::Minutes)
        == QStringLiteral("2024-02-29 13:05"));
    CHECK(TimeFormat::format(t, TimeFormat::Zone::Utc, TimeFormat::Precision::Days) == QStringLiteral("2024-02-29"));
    CHECK(TimeFormat::format(QDateTime(), TimeFormat::Zone::Utc).isEmpty());
    CHECK(TimeFormat::zoneLabel(TimeFormat::Zone::Utc) == QStringLiteral("UTC"));
    // The same instant however it was expressed.
    CHECK(TimeFormat::format(t.toOffsetFromUtc(3600), TimeFormat::Zone::Utc)
        == QStringLiteral("2024-02-29 13:05:07.089"));

    SECTION("local time follows the system's zone")
    {
        const QByteArray old = qgetenv("TZ");
        qputenv("TZ", "Asia/Kolkata"); // +05:30, no daylight saving
        tzset();
        CHECK(TimeFormat::format(t, TimeFormat::Zone::Local) == QStringLiteral("2024-02-29 18:35:07.089"));
        CHECK(TimeFormat::zoneLabel(TimeFormat::Zone::Local, t) == QStringLiteral("UTC+05:30"));
        TimeFormat* format = TimeFormat::instance();
        int changes = 0;
        const auto c = QObject::connect(format, &TimeFormat::zoneChanged, [&] { ++changes; });
        format->setZone(TimeFormat::Zone::Local);
        format->setZone(TimeFormat::Zone::Local);
        CHECK(changes == 1);
        CHECK(TimeFormat::format(t) == QStringLiteral("2024-02-29 18:35:07.089"));
        CHECK(TimeFormat::toShownZone(t).offsetFromUtc() == 5 * 3600 + 1800);
        format->setZone(TimeFormat::Zone::Utc);
        CHECK(TimeFormat::format(t) == QStringLiteral("2024-02-29 13:05:07.089"));
        QObject::disconnect(c);
        if (old.isEmpty())
            qunsetenv("TZ");
        else
            qputenv("TZ", old);
        tzset();
    }
}

TEST_CASE("Type palette: one stable colour per type name", "[display][palette]")
{
    // FNV-1a, not qHash: the same colour in every process and session.
    CHECK(typepalette::indexOf(QStringLiteral("OrderPlaced")) == typepalette::indexOf(QStringLiteral("OrderPlaced")));
    std::set<int> used;
    for (const char* type : { "OrderPlaced", "OrderPaid", "ItemAdded", "OrderShipped", "Deposited", "Withdrawn" })
        used.insert(typepalette::indexOf(QLatin1String(type)));
    CHECK(used.size() >= 4); // spread over the palette
    for (int i = 0; i < 200; ++i) {
        const int index = typepalette::indexOf(QStringLiteral("Type%1").arg(i));
        CHECK(index >= 0);
        CHECK(index < int(typepalette::colours.size()));
    }
    CHECK(typepalette::rgbOf(QString()) == typepalette::colours[std::size_t(typepalette::indexOf(QString()))]);
}
