// Which reducers time travel offers: the merge reducers, the samples compiled in as resources, the user's own files;
// and the state paths a chart or "where did this come from" works with.
#include <catch2/catch.hpp>

#include "core/jsondiff.h"
#include "fold/js/jsreducer.h"
#include "fold/reducercatalog.h"
#include "fold/statepaths.h"
#include "testconfig.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

using namespace es;

namespace {

// Test mode for QStandardPaths while it lives: the user's folders are a scratch area of their own.
struct TestPaths {
    TestPaths()
    {
        QStandardPaths::setTestModeEnabled(true);
        QDir(ReducerCatalog::userFolder()).removeRecursively();
    }
    ~TestPaths()
    {
        QDir(ReducerCatalog::userFolder()).removeRecursively();
        QStandardPaths::setTestModeEnabled(false);
    }
};

const ReducerCatalog::Entry* find(const std::vector<ReducerCatalog::Entry>& entries, const QString& name)
{
    for (const auto& entry : entries) {
        if (entry.name == name)
            return &entry;
    }
    return nullptr;
}

} // namespace

TEST_CASE("reducer catalog: merge reducers, compiled-in samples and the user's own", "[fold][catalog]")
{
    TestPaths paths;
    const QString userFolder = ReducerCatalog::userFolder();
    CHECK(userFolder.startsWith(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)));

    std::vector<ReducerCatalog::Entry> entries = ReducerCatalog::entries();
    REQUIRE(entries.size() >= 4);
    CHECK(entries[0].key == ReducerCatalog::mergeKey);
    CHECK(entries[1].key == ReducerCatalog::mergeByTypeKey);
    const auto* accounts = find(entries, QStringLiteral("accounts.js"));
    REQUIRE(accounts);
    CHECK(accounts->kind == ReducerCatalog::Entry::Kind::Sample);
    CHECK(accounts->key == QLatin1String(":/reducers/accounts.js"));
    CHECK_FALSE(ReducerCatalog::isFile(accounts->key));
    CHECK(find(entries, QStringLiteral("orders.js")));
    CHECK(ReducerCatalog::userFolders().isEmpty()); // none made yet

    // The compiled-in sample is the same text as the one in the source tree, and loads like a file.
    QFile resource(accounts->key);
    QFile source(QStringLiteral(ES_SOURCE_DIR "/resources/reducers/accounts.js"));
    REQUIRE(resource.open(QIODevice::ReadOnly));
    REQUIRE(source.open(QIODevice::ReadOnly));
    CHECK(resource.readAll() == source.readAll());
    Failure failure;
    const ReducerPtr sample = ReducerCatalog::load(accounts->key, &failure);
    REQUIRE(sample);
    CHECK(sample->name() == QLatin1String("accounts"));
    ReducerError error;
    auto fold = sample->createFold(&error);
    REQUIRE(fold);
    CHECK(fold->state().toObject().value(QStringLiteral("status")).toString() == QLatin1String("new"));
    CHECK(ReducerCatalog::preferredFor(entries, QStringLiteral("account-1001")) == accounts->key);
    CHECK(ReducerCatalog::preferredFor(entries, QStringLiteral("order-7")).endsWith(QLatin1String("orders.js")));
    CHECK(ReducerCatalog::preferredFor(entries, QStringLiteral("shipment-3")).isEmpty());

    // A user reducer: listed after the samples, a real file (watched), loaded from disk.
    REQUIRE(QDir().mkpath(userFolder));
    {
        QFile file(userFolder + QStringLiteral("/count.js"));
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write("({ $init: () => ({ n: 0 }), $any: (s, e) => { s.n += 1; } })");
        QFile broken(userFolder + QStringLiteral("/broken.js"));
        REQUIRE(broken.open(QIODevice::WriteOnly));
        broken.write("({ $init: () => ({ n: 0 }), $any: (s, e) => { s.n += ");
    }
    CHECK(ReducerCatalog::userFolders() == QStringList { QDir::cleanPath(userFolder) });
    entries = ReducerCatalog::entries();
    const auto* count = find(entries, QStringLiteral("count.js"));
    REQUIRE(count);
    CHECK(count->kind == ReducerCatalog::Entry::Kind::User);
    CHECK(count > find(entries, QStringLiteral("orders.js")));
    CHECK(ReducerCatalog::isFile(count->key));
    const ReducerPtr user = ReducerCatalog::load(count->key, &failure);
    REQUIRE(user);
    CHECK(user->name() == QLatin1String("count"));

    const auto* broken = find(entries, QStringLiteral("broken.js"));
    REQUIRE(broken);
    CHECK_FALSE(ReducerCatalog::load(broken->key, &failure));
    CHECK(failure.kind == Failure::Kind::ReducerError);
    CHECK(failure.message.contains(QLatin1String("syntax"), Qt::CaseInsensitive));
    CHECK_FALSE(ReducerCatalog::load(userFolder + QStringLiteral("/missing.js"), &failure));
    CHECK(failure.kind == Failure::Kind::Io);
    // Unchecked, only read: compiling it (and finding the syntax error) is left to the fold, off the GUI thread.
    const ReducerPtr unchecked = ReducerCatalog::load(broken->key, &failure, ReducerCatalog::Check::No);
    REQUIRE(unchecked);
    ReducerError compileError;
    CHECK_FALSE(unchecked->createFold(&compileError));
    CHECK(compileError.kind == ReducerError::Kind::Syntax);
    CHECK_FALSE(ReducerCatalog::load(userFolder + QStringLiteral("/missing.js"), &failure, ReducerCatalog::Check::No));
    CHECK(failure.kind == Failure::Kind::Io);

    // The merge reducers need no file.
    CHECK(ReducerCatalog::load(ReducerCatalog::mergeKey));
    CHECK(ReducerCatalog::load(ReducerCatalog::mergeByTypeKey)->name()
        != ReducerCatalog::load(ReducerCatalog::mergeKey)->name());
    CHECK_FALSE(ReducerCatalog::isFile(ReducerCatalog::mergeKey));
}

TEST_CASE("state paths: read back what jsonPathText writes, values and numbers in a state", "[fold][statepaths]")
{
    for (const QJsonArray& path : { QJsonArray {}, QJsonArray { QStringLiteral("balance") },
             QJsonArray { QStringLiteral("items"), 2, QStringLiteral("sku") },
             QJsonArray { QStringLiteral("meta"), QStringLiteral("odd \"key\""), QStringLiteral("n") },
             QJsonArray { 0, 1 } })
        CHECK(parseJsonPathText(jsonPathText(path)) == path);
    CHECK(parseJsonPathText(QStringLiteral("items[x]")).isEmpty());

    const QJsonValue state = QJsonDocument::fromJson(
        R"({"balance": 12.5, "owner": "ann", "items": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 3}],
            "meta": {"odd key": {"n": 7}}})")
                                 .object();
    CHECK(valueAtPath(state, parseJsonPathText(QStringLiteral("items[1].qty"))).toInt() == 3);
    CHECK(valueAtPath(state, parseJsonPathText(QStringLiteral(R"(meta["odd key"].n)"))).toInt() == 7);
    CHECK(valueAtPath(state, parseJsonPathText(QStringLiteral("items[5].qty"))).isUndefined());
    CHECK(valueAtPath(state, parseJsonPathText(QStringLiteral("owner.name"))).isUndefined());
    CHECK(valueAtPath(state, {}) == state);

    const QStringList numbers = numericPaths(state);
    CHECK(numbers
        == QStringList { QStringLiteral("balance"), QStringLiteral("items[0].qty"), QStringLiteral("items[1].qty"),
            QStringLiteral(R"(meta["odd key"].n)") });
}
