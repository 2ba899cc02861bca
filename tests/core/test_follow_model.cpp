#include <catch2/catch.hpp>

#include "core/test_sqlite_support.h"
#include "live/livefollower.h"
#include "models/eventtablemodel.h"
#include "pg/pgtail.h"
#include "store/storeregistry.h"
#include "store/storesession.h"
#include "test_pg_writers.h"
#include "testutils.h"

#include <QAbstractItemModelTester>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHash>
#include <QTemporaryDir>
#include <QThread>

#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

using namespace es;
using namespace es::test;

// The followed event table against real writers: 8 connections commit transactions of random sizes out of position
// order (one keeps a transaction open with low positions while the others commit higher ones), some roll back,
// while models follow the log (ascending, descending with small pages, and filtered by type). At the end each
// model's rows are compared with what a fresh read of the store returns: no event missing, none twice, none that
// rolled back. The tail starts inside the busy scope (a small start window), and one model's live rows are capped low
// so its tail starts over a few times on the way.

namespace {

struct Figures {
    qint64 committed = 0; // events of the scope in the store at the end
    qint64 shown = 0; // rows of the model
    qint64 missed = 0;
    qint64 duplicated = 0;
    qint64 extra = 0; // rows of events the store does not have (rolled back)
};

struct Follow {
    QString title;
    EventFilter filter;
    Qt::SortOrder order = Qt::AscendingOrder;
    int pageSize = 256;
    qint64 maxLiveRows = 100000;
    std::unique_ptr<StoreSession> session;
    EventTableModel model;
    std::unique_ptr<QAbstractItemModelTester> tester;
    std::unique_ptr<LiveFollower> follower;

    Follow(const QString& address, QString name, EventFilter f, Qt::SortOrder o, int page, qint64 maxLive)
        : title(std::move(name))
        , filter(std::move(f))
        , order(o)
        , pageSize(page)
        , maxLiveRows(maxLive)
    {
        tester
            = std::make_unique<QAbstractItemModelTester>(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.setPageSize(pageSize);
        model.setCacheLimit(100000);
        model.sort(EventTableModel::PositionColumn, order);
        model.setFilter(filter);
        session = std::make_unique<StoreSession>(StoreOpener { address, {} });
        model.setSession(session.get());
        follower = std::make_unique<LiveFollower>(&model);
        follower->setMaxLiveRows(maxLiveRows);
        follower->setBatch(500);
    }
    ~Follow()
    {
        follower.reset();
        model.setSession(nullptr);
        tester.reset();
    }
};

// Every row of the model, loaded (pages are read as the rows are asked for; a filtered scope grows to its end).
std::vector<Event> allRows(EventTableModel& model)
{
    REQUIRE(waitFor([&] { return model.isRowCountKnown() || model.canFetchMore(QModelIndex()); }, 30000));
    REQUIRE(waitFor(
        [&] {
            if (model.canFetchMore(QModelIndex()))
                model.fetchMore(QModelIndex());
            return model.isRowCountKnown() && !model.isLoading();
        },
        60000));
    std::vector<Event> rows;
    REQUIRE(waitFor(
        [&] {
            rows.clear();
            bool all = true;
            for (int r = 0; r < model.rowCount(); ++r) {
                if (const std::optional<Event> e = model.eventAt(r))
                    rows.push_back(*e);
                else
                    all = false;
            }
            return all;
        },
        60000));
    return rows;
}

// What the store holds for the filter now, read afresh on a connection of its own.
QStringList storeIdentities(
    const QString& address, const EventFilter& filter, const std::function<QString(const Event&)>& name)
{
    auto store = StoreRegistry::open(address);
    QStringList out;
    EventQuery query;
    query.filter = filter;
    query.limit = 5000;
    while (true) {
        const EventPage page = store->events(query);
        for (const Event& e : page.events)
            out.append(name(e));
        if (page.events.empty() || int(page.events.size()) < query.limit)
            break;
        query.from = (filter.isStream() ? page.events.back().version : page.events.back().position) + 1;
    }
    return out;
}

Figures compare(
    const QStringList& truth, const std::vector<Event>& rows, const std::function<QString(const Event&)>& name)
{
    Figures f;
    f.committed = truth.size();
    f.shown = qint64(rows.size());
    QHash<QString, int> seen;
    for (const Event& e : rows)
        ++seen[name(e)];
    const QSet<QString> inStore(truth.begin(), truth.end());
    QStringList twice;
    for (int r = 0; r < int(rows.size()); ++r) {
        if (seen.value(name(rows[std::size_t(r)])) > 1 && twice.size() < 6)
            twice.append(QStringLiteral("row %1 position %2").arg(r).arg(rows[std::size_t(r)].position));
    }
    if (!twice.isEmpty())
        WARN("shown twice: " << twice.join(QStringLiteral(", ")).toStdString() << " of " << rows.size());
    for (auto it = seen.cbegin(); it != seen.cend(); ++it) {
        f.duplicated += it.value() > 1 ? it.value() - 1 : 0;
        f.extra += inStore.contains(it.key()) ? 0 : 1;
    }
    QStringList missing;
    for (const QString& id : truth) {
        if (!seen.contains(id) && missing.size() < 6)
            missing.append(id);
        f.missed += seen.contains(id) ? 0 : 1;
    }
    if (!missing.isEmpty())
        WARN("not shown: " << missing.join(QStringLiteral(", ")).toStdString());
    return f;
}

void report(const QString& layout, const Follow& follow, const Figures& f)
{
    const QString line = QStringLiteral("follow %1 / %2: committed=%3 shown=%4 missed=%5 duplicated=%6 extra=%7 "
                                        "tail starts=%8")
                             .arg(layout, follow.title)
                             .arg(f.committed)
                             .arg(f.shown)
                             .arg(f.missed)
                             .arg(f.duplicated)
                             .arg(f.extra)
                             .arg(follow.follower->starts());
    std::printf("%s\n", qPrintable(line));
    std::fflush(stdout);
    WARN(line.toStdString());
}

// Ticks the idle followers that `done` (when given) does not call done yet: a follower that is done is left idle, so
// that a slow poll (a loaded machine) cannot keep it busy at every look.
void tickIdle(std::vector<std::unique_ptr<Follow>>& follows, const std::function<bool(std::size_t)>& done = {})
{
    for (std::size_t i = 0; i < follows.size(); ++i) {
        if (follows[i]->follower->isIdle() && !(done && done(i)))
            follows[i]->follower->tick();
    }
    QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    QThread::msleep(5);
}

// Every follower has polled once more from now on (and nothing runs).
void roundOfPolls(std::vector<std::unique_ptr<Follow>>& follows)
{
    std::vector<int> polls(follows.size(), 0);
    std::vector<QMetaObject::Connection> connections;
    for (std::size_t i = 0; i < follows.size(); ++i)
        connections.push_back(
            QObject::connect(follows[i]->follower.get(), &LiveFollower::polled, [&polls, i](int) { ++polls[i]; }));
    bool done = false; // waitFor asks once more at the end: no tick then
    const bool polled = waitFor(
        [&] {
            if (done)
                return true;
            tickIdle(follows, [&polls](std::size_t i) { return polls[i] >= 2; });
            for (std::size_t i = 0; i < follows.size(); ++i) {
                if (polls[i] < 2 || !follows[i]->follower->isIdle())
                    return false;
            }
            return done = true;
        },
        30000);
    if (!polled) {
        for (std::size_t i = 0; i < follows.size(); ++i) {
            const TailHeads h = follows[i]->follower->heads();
            WARN(follows[i]->title.toStdString()
                << ": polls " << polls[i] << ", idle " << follows[i]->follower->isIdle() << ", live session "
                << follows[i]->model.liveSession() << ", visible " << h.visible << ", settled " << h.settled
                << ", held by " << describeHolders(h.holders).toStdString() << ", starts "
                << follows[i]->follower->starts());
        }
    }
    REQUIRE(polled);
    for (const auto& c : connections)
        QObject::disconnect(c);
}

// Follows with every model while the writers write (the tails start while they are busy, transactions open below
// the visible head), then until every tail has caught up with the settled head, which the writers no longer hold.
void followWhile(std::vector<std::unique_ptr<Follow>>& follows, const std::function<bool()>& writing)
{
    QElapsedTimer started;
    started.start();
    while (writing() && started.elapsed() < 150)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    for (auto& f : follows)
        f->follower->start();
    while (writing())
        tickIdle(follows);
    roundOfPolls(follows);
    bool done = false;
    const bool settled = waitFor(
        [&] {
            if (done)
                return true;
            auto caughtUp = [&follows](std::size_t i) {
                const Follow& f = *follows[i];
                const TailHeads h = f.follower->heads();
                return f.model.liveSession() != 0 && h.settled >= h.visible;
            };
            tickIdle(follows, caughtUp);
            for (std::size_t i = 0; i < follows.size(); ++i) {
                if (!follows[i]->follower->isIdle() || !caughtUp(i))
                    return false;
            }
            return done = true;
        },
        30000);
    if (!settled) {
        for (auto& f : follows) {
            const TailHeads h = f->follower->heads();
            WARN(f->title.toStdString() << ": idle " << f->follower->isIdle() << ", live session "
                                        << f->model.liveSession() << ", visible " << h.visible << ", settled "
                                        << h.settled << ", held by " << describeHolders(h.holders).toStdString()
                                        << ", rows " << f->model.rowCount() << ", starts " << f->follower->starts());
        }
    }
    REQUIRE(settled);
    roundOfPolls(follows);
}

struct PgCase {
    PgLayout layout;
    const char* title;
    const char* fixture;
};

const PgCase kPgCases[] = {
    { PgLayout::MessageDb, "Message DB", "messagedb.sql" },
    { PgLayout::Emmett, "Emmett", "emmett.sql" },
    { PgLayout::Marten, "Marten", "marten_string.sql" },
    { PgLayout::Eventuous, "Eventuous", "eventuous.sql" },
    { PgLayout::Commanded, "Commanded", "commanded.sql" },
    { PgLayout::Axon, "Axon JDBC", "axon_jdbc.sql" },
    { PgLayout::AxonJpa, "Axon JPA", "axon_jpa.sql" },
    { PgLayout::EventSourcing, "eventsourcing", "eventsourcing.sql" },
    { PgLayout::RailsEventStore, "Rails Event Store", "railseventstore.sql" },
};

} // namespace

// Every layout whose positions come from a sequence (cqrs-es has none: its position is the row's place). About 2,400
// events per layout (ES_FOLLOW_EVENTS overrides), a few seconds each.
TEST_CASE("follow: a followed model shows every committed event once, in every layout with a sequence", "[follow][pg]")
{
    ES_REQUIRE_PG("PostgreSQL follow test")
    const int events
        = qEnvironmentVariableIsSet("ES_FOLLOW_EVENTS") ? qEnvironmentVariableIntValue("ES_FOLLOW_EVENTS") : 2400;
    PgSettledTail::setStartWindow(200);
    const QString only = qEnvironmentVariable("ES_FOLLOW_LAYOUT"); // one layout, by title
    for (const PgCase& c : kPgCases) {
        if (!only.isEmpty() && only != QLatin1String(c.title))
            continue;
        INFO(c.title);
        QElapsedTimer timer;
        timer.start();
        PgTestDatabase db(QStringLiteral("follow_%1").arg(int(c.layout)), { QString::fromLatin1(c.fixture) });
        const QString address = db.address();
        const PgLayout layout = c.layout;
        auto name = [layout](const Event& e) { return pgWrittenIdentity(layout, e); };
        EventFilter typed;
        typed.types = QStringList { pgMainType(layout) };
        std::vector<std::unique_ptr<Follow>> follows;
        follows.push_back(
            std::make_unique<Follow>(address, QStringLiteral("log"), EventFilter {}, Qt::AscendingOrder, 64, 100000));
        follows.push_back(std::make_unique<Follow>(
            address, QStringLiteral("log, descending, tail restarts"), EventFilter {}, Qt::DescendingOrder, 50, 150));
        // It starts its tail over once 150 live rows have come in: early in any run, however the writers are timed.
        follows.push_back(std::make_unique<Follow>(
            address, QStringLiteral("filtered by type"), typed, Qt::AscendingOrder, 40, 100000));

        PgWriteOutcome outcome;
        std::mutex mutex;
        std::atomic<int> running { 8 };
        QStringList errors;
        std::vector<std::thread> writers;
        PgWriterOptions options;
        options.holdEvery = 6;
        options.holdMs = 200;
        for (int i = 0; i < 8; ++i) {
            writers.emplace_back([&, i] {
                try {
                    pgLayoutWriter(address.toStdString(), layout, i, events / 8, 7000 + 100 * unsigned(layout) + i,
                        outcome, mutex, options);
                } catch (const std::exception& e) {
                    std::lock_guard<std::mutex> lock(mutex);
                    errors.append(QString::fromUtf8(e.what()));
                }
                --running;
            });
        }
        struct Joiner {
            std::vector<std::thread>& threads;
            ~Joiner()
            {
                for (std::thread& t : threads)
                    if (t.joinable())
                        t.join();
            }
        } joiner { writers };
        followWhile(follows, [&] { return running > 0; });
        for (std::thread& t : writers)
            t.join();
        INFO(errors.join(QStringLiteral("; ")).toStdString());
        REQUIRE(errors.isEmpty());
        REQUIRE(outcome.committed.size() == events / 8 * 8);
        REQUIRE(outcome.rollbacks > 0);

        for (auto& f : follows) {
            INFO(f->title.toStdString());
            const QStringList truth = storeIdentities(address, f->filter, name);
            const QSet<QString> inStore(truth.begin(), truth.end());
            // The store itself holds what the writers committed and nothing they rolled back.
            const QSet<QString>& written = f->filter.types.isEmpty() ? outcome.committed : outcome.mainType;
            CHECK(inStore.contains(written));
            CHECK_FALSE(inStore.intersects(outcome.rolledBack));
            const Figures figures = compare(truth, allRows(f->model), name);
            report(QString::fromLatin1(c.title), *f, figures);
            CHECK(figures.missed == 0);
            CHECK(figures.duplicated == 0);
            CHECK(figures.extra == 0);
            CHECK(figures.shown == figures.committed);
        }
        CHECK(follows[1]->follower->starts() > 1); // its tail started over, rows read from the store since
        WARN(c.title << ": " << timer.elapsed() << " ms");
    }
    PgSettledTail::setStartWindow(0);
}

// SQLite serialises its writers, so the tail reads in commit order; the model still gets every event once.
TEST_CASE("follow: a followed model on SQLite shows every committed event once", "[follow]")
{
    QTemporaryDir dir;
    REQUIRE(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("follow.sqlite"));
    {
        EmmettWriter init(path, true);
        for (int i = 0; i < 300; ++i)
            init.append(QStringLiteral("base-%1").arg(i % 7), { { QStringLiteral("Placed"), QByteArray("{}") } });
    }
    auto name = [](const Event& e) { return e.id; };
    EventFilter typed;
    typed.types = QStringList { QStringLiteral("Paid") };
    std::vector<std::unique_ptr<Follow>> follows;
    follows.push_back(
        std::make_unique<Follow>(path, QStringLiteral("log"), EventFilter {}, Qt::AscendingOrder, 64, 100000));
    follows.push_back(std::make_unique<Follow>(
        path, QStringLiteral("log, descending, tail restarts"), EventFilter {}, Qt::DescendingOrder, 50, 400));
    follows.push_back(
        std::make_unique<Follow>(path, QStringLiteral("filtered by type"), typed, Qt::AscendingOrder, 40, 100000));
    std::atomic<int> running { 4 };
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
        writers.emplace_back([&, w] {
            EmmettWriter writer(path, true);
            for (int i = 0; i < 150; ++i) {
                std::vector<EmmettWriter::Message> batch;
                for (int k = 0; k <= i % 5; ++k)
                    batch.push_back(
                        { k % 3 == 0 ? QStringLiteral("Paid") : QStringLiteral("Placed"), QByteArray("{}") });
                writer.append(QStringLiteral("w%1-%2").arg(w).arg(i % 3), batch);
            }
            --running;
        });
    }
    struct Joiner {
        std::vector<std::thread>& threads;
        ~Joiner()
        {
            for (std::thread& t : threads)
                if (t.joinable())
                    t.join();
        }
    } joiner { writers };
    followWhile(follows, [&] { return running > 0; });
    for (std::thread& t : writers)
        t.join();
    for (auto& f : follows) {
        INFO(f->title.toStdString());
        const Figures figures = compare(storeIdentities(path, f->filter, name), allRows(f->model), name);
        report(QStringLiteral("SQLite Emmett"), *f, figures);
        CHECK(figures.missed == 0);
        CHECK(figures.duplicated == 0);
        CHECK(figures.extra == 0);
        CHECK(figures.shown == figures.committed);
    }
}
