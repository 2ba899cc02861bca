// GUI-thread latency benchmark (issue 18, item 4), run by hand:
//   QT_QPA_PLATFORM=offscreen bench_guilatency BROWSE_STORE FOLD_STORE [FOLD_STREAM=account-1]
// A 1 ms timer on the GUI thread records how late each of its ticks comes (the gap less 1 ms) while the real widgets
// scroll a big store's table (BROWSE_STORE, e.g. 10M rows), switch its scope (categories, streams, the whole log),
// open time travel on a long stream (FOLD_STORE) until the state at its last event shows, and count the activity
// chart of the big store. p99 and max per interaction; a stall is a tick later than 50 ms; "cpu" is the most CPU time
// the GUI thread spent within one gap (a late tick with little CPU in it waited for a core, not for our code).
#include "activityview.h"
#include "connectors.h"
#include "eventview.h"
#include "models/eventtablemodel.h"
#include "settings.h"
#include "store/storeregistry.h"
#include "store/storesession.h"
#include "timetravelwindow.h"

#include <QAbstractTableModel>
#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QScrollBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <random>

using namespace es;

namespace {

constexpr int Timeout = 600000;

qint64 threadCpuNs()
{
    timespec t {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return qint64(t.tv_sec) * 1000000000 + t.tv_nsec;
}

// Lateness of a 1 ms timer's ticks, in milliseconds, and the GUI thread's CPU time within each gap: on a loaded
// machine a tick can be late while the thread waits for a core; the CPU time says how much of it was work.
class Probe : public QObject {
public:
    Probe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(1);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            const qint64 cpu = threadCpuNs();
            m_late.push_back(std::max(0.0, double(now - m_last) / 1e6 - 1.0));
            m_busiest = std::max(m_busiest, double(cpu - m_cpu) / 1e6);
            m_last = now;
            m_cpu = cpu;
        });
    }
    void start()
    {
        m_late.clear();
        m_busiest = 0;
        m_clock.start();
        m_last = 0;
        m_cpu = threadCpuNs();
        m_timer.start();
    }
    std::vector<double> stop()
    {
        m_timer.stop();
        return m_late;
    }
    // The most CPU time the GUI thread spent between two ticks since start().
    double busiest() const { return m_busiest; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_cpu = 0;
    double m_busiest = 0;
    std::vector<double> m_late;
};

// Runs the event loop until pred holds; false on timeout.
bool waitUntil(const std::function<bool()>& pred, int timeoutMs = Timeout)
{
    QElapsedTimer t;
    t.start();
    QEventLoop loop;
    QTimer check;
    check.setInterval(5);
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (pred() || t.elapsed() > timeoutMs)
            loop.quit();
    });
    check.start();
    if (!pred())
        loop.exec();
    return pred();
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size() - 1) + 0.5))];
}

Probe* theProbe = nullptr;

void report(const char* what, const std::vector<double>& late, double seconds)
{
    const auto stalls = std::count_if(late.begin(), late.end(), [](double ms) { return ms > 50; });
    std::printf("%-44s %8.1f %8zu %9.2f %9.2f %8lld %9.2f\n", what, seconds, late.size(), percentile(late, 0.99),
        percentile(late, 1.0), static_cast<long long>(stalls), theProbe ? theProbe->busiest() : 0.0);
    std::fflush(stdout);
}

// A model with rows and nothing else: what a bare QTableView costs at that many rows.
class EmptyRows : public QAbstractTableModel {
public:
    explicit EmptyRows(int rows)
        : m_rows(rows)
    { }
    int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : m_rows; }
    int columnCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : 6; }
    QVariant data(const QModelIndex&, int) const override { return {}; }

private:
    int m_rows;
};

bool settled(const EventView& view)
{
    return view.model()->rowCount() > 0 && !view.model()->isLoading();
}

} // namespace

int main(int argc, char** argv)
{
    qputenv(
        "QT_QPA_PLATFORM", qgetenv("QT_QPA_PLATFORM").isEmpty() ? QByteArray("offscreen") : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    registerConnectors();
    if (argc < 3) {
        std::fprintf(stderr, "usage: bench_guilatency BROWSE_STORE FOLD_STORE [FOLD_STREAM]\n");
        return 2;
    }
    QTemporaryDir settingsDir;
    Settings::useFile(settingsDir.filePath(QStringLiteral("settings.ini")));
    const QString browse = QString::fromLocal8Bit(argv[1]);
    const QString foldStore = QString::fromLocal8Bit(argv[2]);
    const QString foldStream = argc > 3 ? QString::fromLocal8Bit(argv[3]) : QStringLiteral("account-1");

    // Scopes to switch between, read beforehand on a connection of their own.
    std::vector<ViewScope> scopes;
    {
        auto store = StoreRegistry::open(browse);
        const CategoryList categories = store->categories();
        for (std::size_t i = 0; i < categories.size() && i < 3; ++i)
            scopes.push_back(ViewScope::category(categories[i].name));
        StreamQuery q;
        q.limit = 3;
        for (const StreamInfo& s : store->streams(q))
            scopes.push_back(ViewScope::stream(s.name));
        scopes.push_back(ViewScope::all());
    }

    Probe probe;
    theProbe = &probe;
    QElapsedTimer phase;
    double load[3] = {};
    if (getloadavg(load, 3) == 3)
        std::printf("load average at start: %.2f %.2f %.2f\n", load[0], load[1], load[2]);
    std::printf("%-44s %8s %8s %9s %9s %8s %9s\n", "interaction (GUI thread, 1 ms timer)", "time (s)", "ticks",
        "p99 (ms)", "max (ms)", ">50 ms", "cpu (ms)");

    StoreSession session(StoreOpener { browse, {} });
    EventView view;
    view.resize(1200, 800);
    view.show();
    probe.start();
    phase.start();
    view.setSession(&session);
    if (!waitUntil([&] { return settled(view); })) {
        std::fprintf(stderr, "the table never loaded\n");
        return 1;
    }
    report("open the big store, first page", probe.stop(), double(phase.elapsed()) / 1000.0);
    {
        // The same number of rows in a bare QTableView, for comparison: its header keeps an item per row.
        EmptyRows rows(view.model()->rowCount());
        QTableView bare;
        bare.resize(1200, 800);
        bare.show();
        probe.start();
        phase.start();
        bare.setModel(&rows);
        const qint64 returned = phase.elapsed();
        waitUntil([&] { return phase.elapsed() > returned + 200; });
        report(qPrintable(QStringLiteral("bare QTableView, setModel(%1 rows)").arg(rows.rowCount())), probe.stop(),
            double(phase.elapsed()) / 1000.0);
    }

    {
        // 200 jumps of the scroll bar to random rows, one every 16 ms (a fast drag), then until the pages are in.
        QScrollBar* bar = view.scrollBar();
        std::mt19937 random(3);
        int steps = 0;
        QTimer stepper;
        stepper.setInterval(16);
        QObject::connect(&stepper, &QTimer::timeout, [&] {
            bar->setValue(std::uniform_int_distribution<int>(0, bar->maximum())(random));
            if (++steps == 200)
                stepper.stop();
        });
        probe.start();
        phase.start();
        stepper.start();
        waitUntil([&] { return steps >= 200 && settled(view); });
        report(qPrintable(QStringLiteral("scroll %1 rows, 200 jumps").arg(view.model()->rowCount())), probe.stop(),
            double(phase.elapsed()) / 1000.0);
    }

    probe.start();
    phase.start();
    for (const ViewScope& scope : scopes) {
        view.setScope(scope);
        if (!waitUntil([&] { return settled(view); }))
            std::fprintf(stderr, "scope %s never loaded\n", qPrintable(scope.name));
    }
    report(qPrintable(QStringLiteral("switch scopes (%1 switches)").arg(scopes.size())), probe.stop(),
        double(phase.elapsed()) / 1000.0);

    {
        StoreSession foldSession(StoreOpener { foldStore, {} });
        probe.start();
        phase.start();
        TimeTravelWindow window(&foldSession, foldStream);
        window.resize(1400, 900);
        window.show();
        bool shown = false;
        QObject::connect(&window, &TimeTravelWindow::stateShown, [&](qint64) { shown = true; });
        if (!waitUntil([&] { return shown; }))
            std::fprintf(stderr, "time travel never showed a state\n");
        report(qPrintable(QStringLiteral("open time travel on %1").arg(foldStream)), probe.stop(),
            double(phase.elapsed()) / 1000.0);
    }

    {
        ActivityView activity;
        activity.resize(1300, 520);
        activity.attach(&view, nullptr);
        activity.show();
        probe.start();
        phase.start();
        activity.setSession(&session);
        if (!waitUntil([&] { return activity.resultsApplied() > 0 && !activity.isCounting(); }))
            std::fprintf(stderr, "the activity chart never settled\n");
        report("count activity of the whole log", probe.stop(), double(phase.elapsed()) / 1000.0);
    }
    if (getloadavg(load, 3) == 3)
        std::printf("load average at end: %.2f %.2f %.2f\n", load[0], load[1], load[2]);
    return 0;
}
