// The reconciliation job: a session's lane runs the Reconciler with a second connection of the session's store for
// every other page; its rows and summary are those of a run on one connection, and a cancel ends it as cancelled.
#include <catch2/catch.hpp>

#include "core/test_reconcile_support.h"

#include "fold/reducercatalog.h"
#include "reconcile/reconcilejob.h"
#include "store/storeregistry.h"
#include "store/storesession.h"

#include <QJsonDocument>
#include <QSignalSpy>

#include <map>

using namespace es;
using namespace es::test;

namespace {

ReconcileRequest accountsRequest(int streamBatch)
{
    ReconcileRequest request;
    request.reducerKey = QStringLiteral(":/reducers/accounts.js");
    request.checkpointName = QStringLiteral("account-summaries");
    request.options.category = QStringLiteral("account");
    request.options.table = QStringLiteral("account_summaries");
    request.options.keyColumn = QStringLiteral("id");
    request.options.columns = { { QStringLiteral("owner"), QStringLiteral("owner") },
        { QStringLiteral("balance"), QStringLiteral("balance") },
        { QStringLiteral("transactions"), QStringLiteral("transactions") } };
    request.options.streamBatch = streamBatch;
    return request;
}

std::map<QString, QByteArray> byKey(const ReconcileRows& rows)
{
    std::map<QString, QByteArray> out;
    for (const ReconcileRow& row : rows) {
        REQUIRE(out.count(row.key) == 0);
        out[row.key] = QJsonDocument(row.toJson()).toJson(QJsonDocument::Compact);
    }
    return out;
}

} // namespace

TEST_CASE("reconcile job: two connections report what one does; a cancel ends a run as cancelled", "[reconcile]")
{
    EmmettAccounts fixture;
    // One connection, the Reconciler run directly.
    std::map<QString, QByteArray> expected;
    {
        ReconcileRequest request = accountsRequest(1000);
        auto store = StoreRegistry::open(fixture.path);
        for (const CheckpointRow& row : store->checkpoints().rows) {
            if (row.name == request.checkpointName)
                request.options.checkpoint = row;
        }
        REQUIRE(request.options.checkpoint);
        Failure failure;
        const ReducerPtr reducer = ReducerCatalog::load(request.reducerKey, &failure);
        REQUIRE(reducer);
        ReconcileRows rows;
        Reconciler(*store, *store->tables(), reducer, request.options).run([&](const ReconcileRow& row) {
            rows.push_back(row);
        });
        expected = byKey(rows);
    }
    REQUIRE(expected.size() == 7);

    StoreSession session(StoreOpener { fixture.path, {} });
    ReconcileJob job;
    job.setSession(&session);
    ReconcileRows rows;
    QObject::connect(&job, &ReconcileJob::rowsAvailable,
        [&](const ReconcileRows& more) { rows.insert(rows.end(), more.begin(), more.end()); });
    QSignalSpy finished(&job, &ReconcileJob::finished);
    QSignalSpy failed(&job, &ReconcileJob::failed);
    for (const int batch : { 1, 2, 4, 1000 }) {
        INFO("streams per page: " << batch);
        rows.clear();
        finished.clear();
        job.start(accountsRequest(batch));
        REQUIRE(finished.wait(20000));
        CHECK(failed.isEmpty());
        CHECK(byKey(rows) == expected);
        const ReconcileSummary summary = finished.at(0).at(0).value<ReconcileSummary>();
        CHECK(summary.streams == 6);
        CHECK(summary.connections == (batch < 6 ? 2 : 1));
        CHECK(summary.problems() == 6);
        CHECK(summary.count(ReconcileStatus::Ok) == 1);
    }

    // One connection when asked (the dock's checkbox, the CLI's --connections 1): the same rows.
    {
        rows.clear();
        finished.clear();
        ReconcileRequest one = accountsRequest(1);
        one.connections = 1;
        job.start(one);
        REQUIRE(finished.wait(20000));
        CHECK(byKey(rows) == expected);
        CHECK(finished.at(0).at(0).value<ReconcileSummary>().connections == 1);
    }

    // Cancelled at once and after its first rows: no result, no failure; the next run finishes as before.
    for (const bool afterRows : { false, true }) {
        rows.clear();
        finished.clear();
        QSignalSpy running(&job, &ReconcileJob::runningChanged);
        job.start(accountsRequest(1));
        if (afterRows) {
            QSignalSpy some(&job, &ReconcileJob::rowsAvailable);
            if (rows.empty())
                some.wait(20000);
        }
        job.cancel();
        CHECK_FALSE(job.isRunning());
        CHECK_FALSE(finished.wait(300));
        CHECK(failed.isEmpty());
    }
    rows.clear();
    job.start(accountsRequest(1));
    REQUIRE(finished.wait(20000));
    CHECK(byKey(rows) == expected);
}
