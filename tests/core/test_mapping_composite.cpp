// The store interface through a composite-key mapping on both engines: the reads the GUI's stream browser, event
// table and time travel use (categories, one stream, scopes, anchors, pages backward), beside the CLI's commands in
// tests/cli/test_mapping_cli.cpp (issue 19).
#include <catch2/catch.hpp>

#include "store/storeregistry.h"
#include "test_composite_support.h"
#include "test_layout_support.h"
#include "testutils.h"

using namespace es;
using namespace es::test;

namespace {

void checkStoreReads(const QString& address, const QString& mapping)
{
    OpenOptions options;
    options.mappingFile = mapping;
    auto store = StoreRegistry::open(address, options);

    QStringList categories;
    for (const CategoryInfo& c : store->categories())
        categories.append(QStringLiteral("%1 %2/%3").arg(c.name).arg(c.streams).arg(c.events));
    CHECK(categories
        == QStringList {
            QStringLiteral("Invoice 1/1"), QStringLiteral("Order 2/4"), QStringLiteral("order-line 1/2") });

    const QString order1 = compositeStream(compositeEvents()[0]);
    const auto info = store->stream(order1);
    REQUIRE(info);
    CHECK(info->category == QLatin1String("Order"));
    CHECK(info->version == 3);
    CHECK(info->events == 3);
    CHECK(info->firstTime == QDateTime(QDate(2024, 3, 1), QTime(10, 0), Qt::UTC));
    CHECK(info->lastTime == QDateTime(QDate(2024, 3, 2), QTime(9, 0), Qt::UTC));
    CHECK(categoryOfStream(*store, compositeStream(compositeEvents()[2])) == QLatin1String("order-line"));

    StreamQuery byCategory;
    byCategory.category = QStringLiteral("Order");
    byCategory.withStats = true;
    const StreamList orders = store->streams(byCategory);
    REQUIRE(orders.size() == 2);
    CHECK(orders[0].lastTime.isValid());
    CHECK(streamNames(*store, QStringLiteral("order-line-")) == QStringList { compositeStream(compositeEvents()[2]) });

    EventFilter category;
    category.category = QStringLiteral("Order");
    const ScopeStats stats = store->scopeStats(category);
    CHECK(stats.count == 4);
    CHECK(stats.firstKey == 1);
    CHECK(stats.lastKey == 6);
    CHECK(store->keyAnchors(category, 2) == std::vector<qint64> { 1, 4 });
    CHECK(summary(readCategory(*store, QStringLiteral("order-line")))
        == QStringList { QStringLiteral("3 %1@1 LineAdded").arg(compositeStream(compositeEvents()[2])),
            QStringLiteral("7 %1@2 LineRemoved").arg(compositeStream(compositeEvents()[2])) });
    EventFilter stream;
    stream.stream = order1;
    CHECK(summary(readAll(*store, stream, true), false)
        == QStringList { order1 + QStringLiteral("@3 OrderShipped"), order1 + QStringLiteral("@2 OrderPaid"),
            order1 + QStringLiteral("@1 OrderPlaced") });
    const StoreInfo all = store->info();
    CHECK(all.eventCount == 7);
    CHECK(all.streamCount == 4);
    CHECK(all.lastTime == QDateTime(QDate(2024, 3, 2), QTime(9, 30), Qt::UTC));
}

} // namespace

TEST_CASE("composite stream key: categories, streams, scopes and pages through the store (SQLite)", "[mapping][sqlite]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("aggregates.sqlite"));
    for (const QString& statement : compositeStoreSql(false))
        execSqlite(path, statement);
    checkStoreReads(path, writeCompositeMapping(dir));
}

TEST_CASE("composite stream key: categories, streams, scopes and pages through the store (PostgreSQL)", "[mapping][pg]")
{
    ES_REQUIRE_PG("the composite-key PostgreSQL store reads");
    PgTestDatabase db(QStringLiteral("composite"));
    REQUIRE(db.ok());
    for (const QString& statement : compositeStoreSql(true))
        db.sql(statement);
    QTemporaryDir dir;
    checkStoreReads(db.address(), writeCompositeMapping(dir));
}
