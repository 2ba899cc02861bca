#include "fold/timetravelengine.h"

#include <QElapsedTimer>
#include <QTimeZone>

#include <algorithm>
#include <limits>

namespace es {

namespace {

constexpr qint64 noTime = std::numeric_limits<qint64>::min();
constexpr int progressIntervalMs = 100;
constexpr qint64 maxSeriesPoints = 4000;

QJsonValue valueAt(QJsonValue value, const QJsonArray& path)
{
    for (const QJsonValue& step : path) {
        if (step.isDouble() && value.isArray()) {
            const QJsonArray a = value.toArray();
            const qsizetype i = qsizetype(step.toInteger());
            if (i < 0 || i >= a.size())
                return QJsonValue(QJsonValue::Undefined);
            value = a.at(i);
        } else if (step.isString() && value.isObject()) {
            value = value.toObject().value(step.toString());
        } else {
            return QJsonValue(QJsonValue::Undefined);
        }
    }
    return value;
}

} // namespace

qint64 TimelineIndex::indexAtOrBefore(qint64 version) const
{
    const auto it = std::upper_bound(versions.begin(), versions.end(), version);
    return qint64(it - versions.begin()) - 1;
}

qint64 TimelineIndex::indexAsOf(const QDateTime& time) const
{
    if (!time.isValid())
        return -1;
    const qint64 ms = time.toMSecsSinceEpoch();
    if (timesSorted)
        return qint64(std::upper_bound(timesMs.begin(), timesMs.end(), ms) - timesMs.begin()) - 1;
    for (qint64 i = count() - 1; i >= 0; --i) {
        if (timesMs[std::size_t(i)] != noTime && timesMs[std::size_t(i)] <= ms)
            return i;
    }
    return -1;
}

QDateTime TimelineIndex::timeAt(qint64 index) const
{
    const qint64 ms = timesMs[std::size_t(index)];
    return ms == noTime ? QDateTime() : QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
}

// Lives in the engine's thread: the store connection and the Timeline are created and used only there.
class TimeTravelEngine::Worker : public QObject {
public:
    Worker(StoreOpener opener, QString stream)
        : m_opener(std::move(opener))
        , m_stream(std::move(stream))
    { }

    EventStore& store()
    {
        if (!m_store)
            m_store = m_opener();
        return *m_store;
    }
    void release()
    {
        m_timeline.reset();
        m_store.reset();
    }

    StoreOpener m_opener;
    QString m_stream;
    std::unique_ptr<EventStore> m_store;
    std::unique_ptr<Timeline> m_timeline;
};

TimeTravelEngine::TimeTravelEngine(StoreOpener opener, QString stream, QObject* parent)
    : QObject(parent)
    , m_stream(stream)
    , m_worker(new Worker(std::move(opener), std::move(stream)))
{
    qRegisterMetaType<TimelineIndexPtr>();
    qRegisterMetaType<CursorState>();
    qRegisterMetaType<CompareResult>();
    qRegisterMetaType<SeriesResult>();
    m_thread.setObjectName(QStringLiteral("timetravel"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
}

TimeTravelEngine::~TimeTravelEngine()
{
    cancel();
    // The fold's JS engine and the connection belong to the worker thread: release them there.
    Worker* worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker] { worker->release(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void TimeTravelEngine::post(std::function<void(Worker&)> job)
{
    Worker* worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker, job = std::move(job)] { job(*worker); }, Qt::QueuedConnection);
}

void TimeTravelEngine::deliver(std::function<void()> fn)
{
    QMetaObject::invokeMethod(this, std::move(fn), Qt::QueuedConnection);
}

void TimeTravelEngine::postLong(const QString& what, std::function<void(Worker&, const Cancelled&)> job)
{
    if (m_longJobs++ == 0)
        Q_EMIT busyChanged(true);
    const quint64 epoch = m_cancelEpoch.load();
    post([this, what, epoch, job = std::move(job)](Worker& w) {
        const Cancelled cancelled = [this, epoch] { return m_cancelEpoch.load() != epoch; };
        if (!cancelled()) {
            deliver([this, what] { Q_EMIT progress(what, 0, 0); });
            job(w, cancelled);
        }
        deliver([this] { longJobEnded(); });
    });
}

void TimeTravelEngine::longJobEnded()
{
    if (--m_longJobs == 0)
        Q_EMIT busyChanged(false);
}

void TimeTravelEngine::cancel()
{
    ++m_cancelEpoch;
}

void TimeTravelEngine::load(ReducerPtr reducer, TimelineOptions options)
{
    postLong(tr("Folding %1").arg(m_stream), [this, reducer, options](Worker& w, const Cancelled& cancelled) {
        try {
            auto timeline = std::make_unique<Timeline>(w.store(), w.m_stream, reducer, options);
            QElapsedTimer throttle;
            throttle.start();
            const bool ok = timeline->build([&](qint64 done, qint64 total) {
                if (throttle.elapsed() >= progressIntervalMs) {
                    throttle.restart();
                    deliver([this, done, total] { Q_EMIT progress(tr("Folding %1").arg(m_stream), done, total); });
                }
                return !cancelled();
            });
            if (!ok) {
                const QString message = cancelled() ? tr("Cancelled.") : timeline->error();
                deliver([this, message] { Q_EMIT loadFailed(message); });
                return;
            }
            auto index = std::make_shared<TimelineIndex>();
            const qint64 n = timeline->count();
            index->stream = w.m_stream;
            index->reducerName = reducer->name();
            index->versions.reserve(std::size_t(n));
            index->positions.reserve(std::size_t(n));
            index->timesMs.reserve(std::size_t(n));
            index->typeIds.reserve(std::size_t(n));
            for (qint64 i = 0; i < n; ++i) {
                index->versions.push_back(timeline->versionAt(i));
                index->positions.push_back(timeline->positionAt(i));
                const QDateTime t = timeline->timeAt(i);
                index->timesMs.push_back(t.isValid() ? t.toMSecsSinceEpoch() : noTime);
                index->typeIds.push_back(quint16(timeline->typeIdAt(i)));
                if (i > 0 && index->timesMs[std::size_t(i)] < index->timesMs[std::size_t(i - 1)])
                    index->timesSorted = false;
            }
            index->types = timeline->types();
            index->reducerError = timeline->reducerError();
            if (index->reducerError)
                index->errorIndex = index->indexAtOrBefore(index->reducerError->version);
            index->snapshotInterval = timeline->snapshotInterval();
            index->foldMicrosPerEvent = timeline->foldMicrosPerEvent();
            w.m_timeline = std::move(timeline);
            TimelineIndexPtr result = index;
            deliver([this, result] { Q_EMIT loaded(result); });
        } catch (const StoreError& e) {
            const QString message = e.message();
            deliver([this, message] { Q_EMIT loadFailed(message); });
        }
    });
}

quint64 TimeTravelEngine::requestState(qint64 version)
{
    const quint64 ticket = ++m_stateTicket;
    post([this, ticket, version](Worker& w) {
        if (ticket != m_stateTicket.load() || !w.m_timeline)
            return;
        CursorState s;
        s.ticket = ticket;
        s.version = version;
        s.changes = w.m_timeline->changesAt(version, &s.error);
        if (const auto json = w.m_timeline->stateJsonAt(version, &s.error))
            s.stateJson = *json;
        if (version >= w.m_timeline->firstVersion()) {
            try {
                EventQuery q;
                q.filter.stream = w.m_stream;
                q.from = q.to = version;
                q.limit = 1;
                EventPage page = w.store().events(q);
                if (!page.events.empty())
                    s.event = std::move(page.events.front());
            } catch (const StoreError& e) {
                s.error = e.message();
            }
        }
        deliver([this, s] { Q_EMIT stateReady(s); });
    });
    return ticket;
}

void TimeTravelEngine::requestCompare(qint64 fromVersion, qint64 toVersion)
{
    postLong(tr("Comparing"), [this, fromVersion, toVersion](Worker& w, const Cancelled&) {
        if (!w.m_timeline)
            return;
        CompareResult r;
        r.fromVersion = fromVersion;
        r.toVersion = toVersion;
        if (const auto a = w.m_timeline->stateJsonAt(fromVersion, &r.error))
            r.fromJson = *a;
        if (const auto b = w.m_timeline->stateJsonAt(toVersion, &r.error))
            r.toJson = *b;
        if (r.error.isEmpty())
            r.diff = diffJson(parseJsonValue(r.fromJson), parseJsonValue(r.toJson));
        deliver([this, r] { Q_EMIT compareReady(r); });
    });
}

void TimeTravelEngine::findBreakpoint(const QStringList& predicates, qint64 afterVersion)
{
    postLong(
        tr("Running to the next breakpoint"), [this, predicates, afterVersion](Worker& w, const Cancelled& cancelled) {
            if (!w.m_timeline)
                return;
            bool found = false;
            qint64 best = -1;
            QString bestPredicate;
            QString error;
            QElapsedTimer throttle;
            throttle.start();
            for (const QString& predicate : predicates) {
                const Timeline::BreakHit hit
                    = w.m_timeline->findFirst(predicate, afterVersion + 1, [&](qint64 done, qint64 total) {
                          if (throttle.elapsed() >= progressIntervalMs) {
                              throttle.restart();
                              deliver([this, done, total] {
                                  Q_EMIT progress(tr("Running to the next breakpoint"), done, total);
                              });
                          }
                          return !cancelled();
                      });
                if (hit.cancelled || cancelled())
                    return;
                if (hit.error) {
                    error = QStringLiteral("%1: %2").arg(predicate, hit.error->toString());
                    break;
                }
                if (hit.found && (!found || hit.version < best)) {
                    found = true;
                    best = hit.version;
                    bestPredicate = predicate;
                }
            }
            deliver([this, found, best, bestPredicate, error] {
                Q_EMIT breakpointResult(found, best, bestPredicate, error);
            });
        });
}

void TimeTravelEngine::requestSeries(const QJsonArray& path)
{
    postLong(tr("Charting %1").arg(jsonPathText(path)), [this, path](Worker& w, const Cancelled& cancelled) {
        if (!w.m_timeline)
            return;
        Timeline& t = *w.m_timeline;
        SeriesResult r;
        r.path = path;
        const qint64 n = t.count();
        const qint64 bucket = n > maxSeriesPoints ? (2 * n + maxSeriesPoints - 1) / maxSeriesPoints : 1;
        std::pair<qint64, double> lo { -1, 0 };
        std::pair<qint64, double> hi { -1, 0 };
        auto flush = [&] {
            if (lo.first < 0)
                return;
            if (lo.first == hi.first) {
                r.points.push_back(lo);
            } else {
                r.points.push_back(lo.first < hi.first ? lo : hi);
                r.points.push_back(lo.first < hi.first ? hi : lo);
            }
            lo = hi = { -1, 0 };
        };
        qint64 index = 0;
        QElapsedTimer throttle;
        throttle.start();
        const bool ok = t.walk(
            t.firstVersion(), t.lastVersion(),
            [&](const Event&, const QByteArray& stateJson) {
                const QJsonValue v = valueAt(parseJsonValue(stateJson), path);
                if (v.isDouble()) {
                    const double d = v.toDouble();
                    if (lo.first < 0 || d < lo.second)
                        lo = { index, d };
                    if (hi.first < 0 || d > hi.second)
                        hi = { index, d };
                }
                ++index;
                if (index % bucket == 0)
                    flush();
                if (throttle.elapsed() >= progressIntervalMs) {
                    throttle.restart();
                    deliver([this, path, index, n] {
                        Q_EMIT progress(tr("Charting %1").arg(jsonPathText(path)), index, n);
                    });
                }
                return !cancelled();
            },
            nullptr, &r.error);
        flush();
        if (cancelled())
            return;
        if (!ok && r.error.isEmpty())
            r.error = tr("Cancelled.");
        deliver([this, r] { Q_EMIT seriesReady(r); });
    });
}

void TimeTravelEngine::findLastSet(const QJsonArray& path, qint64 version)
{
    postLong(tr("Finding what set %1").arg(jsonPathText(path)),
        [this, path, version](Worker& w, const Cancelled& cancelled) {
            if (!w.m_timeline)
                return;
            Timeline& t = *w.m_timeline;
            QString error;
            qint64 found = -1;
            // Backwards in growing chunks, each folded forwards: the cost follows how far back the change is.
            qint64 hiIndex = t.indexAtOrBefore(version);
            qint64 chunk = 256;
            while (hiIndex >= 0 && found < 0 && !cancelled()) {
                const qint64 loIndex = qMax<qint64>(0, hiIndex - chunk + 1);
                const qint64 before = loIndex == 0 ? t.firstVersion() - 1 : t.versionAt(loIndex - 1);
                const auto start = t.stateJsonAt(before, &error);
                if (!start)
                    break;
                QJsonValue previous = valueAt(parseJsonValue(*start), path);
                qint64 lastChange = -1;
                const bool ok = t.walk(
                    t.versionAt(loIndex), t.versionAt(hiIndex),
                    [&](const Event& e, const QByteArray& stateJson) {
                        const QJsonValue v = valueAt(parseJsonValue(stateJson), path);
                        if (v != previous)
                            lastChange = e.version;
                        previous = v;
                        return !cancelled();
                    },
                    nullptr, &error);
                if (!ok)
                    break;
                found = lastChange;
                hiIndex = loIndex - 1;
                chunk *= 2;
            }
            if (cancelled())
                return;
            deliver([this, path, found, error] { Q_EMIT lastSetFound(path, found, error); });
        });
}

} // namespace es
