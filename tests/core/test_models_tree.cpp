#include <catch2/catch.hpp>

#include "models/streamtreemodel.h"
#include "store/storesession.h"
#include "test_models_support.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <map>
#include <set>

using namespace es;
using es::test::emmett::Spec;

namespace {

using Tester = QAbstractItemModelTester;

// 1,203 streams over four categories; every tenth stream archived and so not listed.
Spec treeSpec()
{
    Spec spec;
    spec.streams = 1203;
    spec.events = 1203 * 3 + 17;
    spec.archiveEvery = 10;
    return spec;
}

std::map<QString, std::vector<QString>> expectedStreams(const Spec& spec)
{
    std::map<QString, std::vector<QString>> byCategory;
    for (int s = 0; s < spec.streams; ++s) {
        if (!spec.archived(s))
            byCategory[Spec::category(s)].push_back(spec.streamOf(s));
    }
    for (auto& [category, names] : byCategory)
        std::sort(names.begin(), names.end());
    return byCategory;
}

QStringList flatNames(const StreamTreeModel& model)
{
    QStringList names;
    for (int row = 0; row < model.rowCount(); ++row)
        names << model.data(model.index(row, 0), StreamTreeModel::StreamNameRole).toString();
    return names;
}

bool waitIdle(StreamTreeModel& model)
{
    return es::test::waitFor([&] {
        if (model.canFetchMore(QModelIndex()))
            model.fetchMore(QModelIndex());
        return !model.isLoading() && !model.canFetchMore(QModelIndex());
    });
}

struct TreeFixture {
    QTemporaryDir dir;
    Spec spec = treeSpec();
    std::unique_ptr<StoreSession> session;
    StreamTreeModel model;
    std::unique_ptr<Tester> tester;

    TreeFixture()
    {
        REQUIRE(dir.isValid());
        const QString path = es::test::emmett::write(es::test::tempPath(dir, QStringLiteral("streams.sqlite")), spec);
        tester = std::make_unique<Tester>(&model, Tester::FailureReportingMode::Fatal);
        session = std::make_unique<StoreSession>(StoreOpener { path, {} });
    }
    ~TreeFixture()
    {
        model.setSession(nullptr);
        tester.reset();
    }
};

} // namespace

TEST_CASE("Stream tree: categories with counts, streams fetched lazily in keyset pages", "[models][tree]")
{
    TreeFixture f;
    const auto expected = expectedStreams(f.spec);
    // Without fetchMore from the tester the children load only when asked, as in a collapsed view.
    f.tester.reset();
    f.tester = std::make_unique<Tester>(&f.model, Tester::FailureReportingMode::Fatal);
    f.tester->setUseFetchMore(false);
    f.model.setSession(f.session.get());
    REQUIRE(es::test::waitFor([&] { return f.model.rowCount() == 4; }));
    REQUIRE(waitIdle(f.model));

    std::map<QString, QModelIndex> categories;
    for (int row = 0; row < f.model.rowCount(); ++row) {
        const QModelIndex idx = f.model.index(row, 0);
        CHECK(idx.data(StreamTreeModel::IsCategoryRole).toBool());
        const QString name = idx.data(StreamTreeModel::CategoryRole).toString();
        REQUIRE(expected.count(name));
        categories[name] = idx;
        const auto& names = expected.at(name);
        CHECK(idx.data(StreamTreeModel::StreamCountRole).toLongLong() == qint64(names.size()));
        CHECK(idx.data(Qt::DisplayRole).toString().startsWith(name));
        CHECK(f.model.hasChildren(idx));
        CHECK(f.model.rowCount(idx) == 0);
        CHECK(f.model.canFetchMore(idx));
    }

    // "account": streams 1, 5, 9, ... less the archived ones (s % 20 == 1): 240 streams, two pages of 200.
    const QModelIndex account = categories.at(QStringLiteral("account"));
    const auto& accountNames = expected.at(QStringLiteral("account"));
    f.model.fetchMore(account);
    REQUIRE(es::test::waitFor([&] { return f.model.rowCount(account) == 200; }));
    REQUIRE(es::test::waitFor([&] { return !f.model.isLoading(); }));
    CHECK(f.model.canFetchMore(account));
    f.model.fetchMore(account);
    es::test::waitFor([&] { return f.model.rowCount(account) == int(accountNames.size()); });
    REQUIRE(f.model.rowCount(account) == int(accountNames.size()));
    REQUIRE(es::test::waitFor([&] { return !f.model.canFetchMore(account) && !f.model.isLoading(); }));
    for (int row = 0; row < f.model.rowCount(account); ++row) {
        const QModelIndex child = f.model.index(row, 0, account);
        REQUIRE(child.data(StreamTreeModel::StreamNameRole).toString() == accountNames[std::size_t(row)]);
        CHECK(child.data(StreamTreeModel::CategoryRole).toString() == QStringLiteral("account"));
        CHECK_FALSE(child.data(StreamTreeModel::IsCategoryRole).toBool());
        const auto info = child.data(StreamTreeModel::StreamInfoRole).value<StreamInfo>();
        CHECK(info.name == accountNames[std::size_t(row)]);
        CHECK(info.events == child.sibling(row, StreamTreeModel::EventsColumn).data().toLongLong());
        CHECK(f.model.parent(child) == account);
    }
    // Stream 5 ("account-00005") has events 5, 1208, 2411 and 3614.
    const auto it = std::find(accountNames.begin(), accountNames.end(), QStringLiteral("account-00005"));
    REQUIRE(it != accountNames.end());
    const QModelIndex five = f.model.index(int(it - accountNames.begin()), StreamTreeModel::EventsColumn, account);
    CHECK(five.data().toLongLong() == 4);
}

TEST_CASE("Stream tree: the whole tree passes the model tester with fetchMore", "[models][tree]")
{
    TreeFixture f;
    const auto expected = expectedStreams(f.spec);
    f.model.setSession(f.session.get());
    REQUIRE(es::test::waitFor([&] {
        if (f.model.rowCount() != 4)
            return false;
        for (int row = 0; row < 4; ++row) {
            const QModelIndex idx = f.model.index(row, 0);
            if (f.model.canFetchMore(idx))
                f.model.fetchMore(idx);
            const QString name = idx.data(StreamTreeModel::CategoryRole).toString();
            if (f.model.rowCount(idx) != int(expected.at(name).size()))
                return false;
        }
        return !f.model.isLoading();
    }));
}

TEST_CASE("Stream tree: filter text lists prefix matches first, then substring matches", "[models][tree]")
{
    TreeFixture f;
    const auto expected = expectedStreams(f.spec);
    f.model.setSession(f.session.get());
    REQUIRE(es::test::waitFor([&] { return f.model.rowCount() == 4; }));

    SECTION("plain text")
    {
        f.model.setFilterText(QStringLiteral("order"));
        REQUIRE(f.model.isFlat());
        REQUIRE(waitIdle(f.model));
        QStringList want;
        for (const QString& n : expected.at(QStringLiteral("order")))
            want << n;
        for (const QString& n : expected.at(QStringLiteral("reorder")))
            want << n;
        CHECK(flatNames(f.model) == want);
        CHECK(f.model.hasChildren(f.model.index(0, 0)) == false);
        CHECK(f.model.parent(f.model.index(3, 0)) == QModelIndex());
    }
    SECTION("wildcards")
    {
        f.model.setFilterText(QStringLiteral("ship*-00?2?"));
        REQUIRE(waitIdle(f.model));
        const QRegularExpression re(QStringLiteral("^shipment-00\\d2\\d$"));
        QStringList want;
        for (const QString& n : expected.at(QStringLiteral("shipment"))) {
            if (re.match(n).hasMatch())
                want << n;
        }
        REQUIRE_FALSE(want.isEmpty());
        CHECK(flatNames(f.model) == want);
    }
    SECTION("nothing matches, then back to the tree")
    {
        f.model.setFilterText(QStringLiteral("no-such-stream"));
        REQUIRE(waitIdle(f.model));
        CHECK(f.model.rowCount() == 0);
        f.model.setFilterText(QString());
        CHECK_FALSE(f.model.isFlat());
        REQUIRE(es::test::waitFor([&] { return f.model.rowCount() == 4; }));
    }
    SECTION("a new filter drops the results of the old one")
    {
        f.model.setFilterText(QStringLiteral("account"));
        f.model.setFilterText(QStringLiteral("shipment-0000"));
        REQUIRE(waitIdle(f.model));
        const QStringList names = flatNames(f.model);
        CHECK(names == QStringList({ QStringLiteral("shipment-00002"), QStringLiteral("shipment-00006") }));
    }
}

TEST_CASE("Stream tree: a store that cannot be read reports an error", "[models][tree]")
{
    QTemporaryDir dir;
    const QString path = es::test::tempPath(dir, QStringLiteral("garbage.sqlite"));
    {
        QFile file(path);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, '\x5a'));
    }
    StreamTreeModel model;
    Tester tester(&model, Tester::FailureReportingMode::Fatal);
    QSignalSpy errors(&model, &StreamTreeModel::failed);
    StoreSession session(StoreOpener { path, {} });
    model.setSession(&session);
    REQUIRE(es::test::waitFor([&] { return !errors.isEmpty(); }));
    CHECK(model.rowCount() == 0);
    model.setFilterText(QStringLiteral("x"));
    REQUIRE(es::test::waitFor([&] { return errors.count() == 2; }));
    CHECK(es::test::waitFor([&] { return !model.isLoading(); }));
    CHECK_FALSE(model.canFetchMore(QModelIndex()));
}
