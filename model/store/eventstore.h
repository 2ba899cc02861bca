#pragma once

#include "activity/histogram.h"
#include "catalog/catalogrequest.h"
#include "core/checkpoint.h"
#include "core/event.h"
#include "core/eventfilter.h"
#include "core/eventlinks.h"
#include "core/rawevent.h"
#include "flow/linkquery.h"
#include "store/failure.h"
#include "store/tablereader.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <stdexcept>
#include <vector>

namespace es {

// Thrown by stores inside a job or the CLI; never crosses a signal, slot or model boundary: the job mechanism
// turns it into a Failure of the same kind.
class StoreError : public std::runtime_error {
public:
    using Kind = Failure::Kind;
    explicit StoreError(const QString& message, Kind kind = Kind::Generic)
        : std::runtime_error(message.toStdString())
        , m_kind(kind)
    { }
    QString message() const { return QString::fromStdString(what()); }
    Kind kind() const { return m_kind; }
    Failure failure() const { return { m_kind, message() }; }

private:
    Kind m_kind;
};

struct StoreInfo {
    QString address; // as given, without any password
    QString engine; // "sqlite" or "postgresql"
    QString layout; // profile name, e.g. "emmett"
    QString layoutTitle; // e.g. "Emmett (SQLite)"
    QStringList candidateLayouts; // every profile whose tables were found
    qint64 eventCount = -1; // -1 when not counted yet
    bool eventCountEstimated = false; // eventCount is EventStore::estimateCount's estimate; the count follows
    qint64 streamCount = -1;
    qint64 firstPosition = -1;
    qint64 headPosition = -1;
    QDateTime firstTime;
    QDateTime lastTime;
    QStringList notes; // what the layout lacks (no timestamps, no global order, ...)
    EventLinks links; // where correlation and causation live, from the layout's profile
};

struct StreamInfo {
    QString name;
    QString category;
    qint64 version = -1; // last version
    qint64 events = -1; // number of events
    qint64 firstVersion = -1;
    QDateTime firstTime;
    QDateTime lastTime;
    qint64 lastPosition = -1; // global position of the last event, where the read grouped the events
};
using StreamList = std::vector<StreamInfo>;

struct CategoryInfo {
    QString name;
    qint64 streams = 0;
    qint64 events = -1;
    QDateTime lastTime; // invalid where the read does not group the events (a streams table)
    qint64 lastPosition = -1;
};
using CategoryList = std::vector<CategoryInfo>;

// How a stream list is ordered; the database sorts, and pages continue by keyset.
enum class StreamOrder { Name, Events, LastActivity };

struct StreamQuery {
    QString prefix; // stream name starts with
    QString contains; // stream name contains
    QString category; // only streams of this category
    // Keyset: the previous page's last stream. By name: names strictly after (before, descending) this one. By events
    // or last activity: streams after (afterValue, after) in (value, name) order, the name always ascending.
    QString after;
    qint64 afterValue = -1; // the previous page's last events count or last position
    StreamOrder order = StreamOrder::Name;
    bool descending = false;
    int limit = 200;
    bool withStats = false; // fill firstTime/lastTime (costs a lookup per stream)
    // Fill lastTime: free where the read groups the events, a lookup per stream where a streams table lists them.
    bool withLastTime = false;
};

// Keys are global positions, or stream versions when the filter names one stream.
struct EventQuery {
    EventFilter filter;
    qint64 from = -1; // inclusive key to start at; -1 = the start (or the end when backward)
    qint64 to = -1; // inclusive key to stop at; -1 = no bound
    bool backward = false;
    int limit = 200;
    // Read budget for filtered reads: the span of keys examined in one call. 0 = unlimited.
    qint64 scanWindow = 0;
};

struct EventPage {
    EventList events;
    bool atEnd = false; // nothing more in this direction
    // Where to continue (a key). When the scan window ran out before `limit` matches this is past the window.
    qint64 next = -1;
    bool windowExhausted = false;
};

struct ScopeStats {
    qint64 count = 0;
    qint64 firstKey = -1;
    qint64 lastKey = -1;
    bool dense() const { return count > 0 && lastKey - firstKey + 1 == count; }
};

// An estimated count: `estimated` says whether it was scaled up from a sample or counted.
struct CountEstimate {
    qint64 count = 0;
    bool estimated = false;
};

// Who a store is, for summaries kept outside it (model/cache): the same database under the same address has the same
// identity, and a different or restored database under that address a different fingerprint.
struct StoreIdentity {
    QString engine;
    QString address; // without any password or secret
    QString fingerprint; // the engine's own: PostgreSQL's system identifier and database oid, a SQLite file's device
                         // and inode
    bool isValid() const { return !engine.isEmpty() && !address.isEmpty() && !fingerprint.isEmpty(); }
};

// One connection to one store. Not thread-safe: one thread uses it; interrupt() may be called from any thread.
class EventStore {
public:
    virtual ~EventStore() = default;

    // The address as given, without any password; no query (info() counts the store).
    virtual QString address() const = 0;
    // What the store is; with withCounts false, without the event and stream counts (left -1), which can take
    // seconds on millions of events.
    virtual StoreInfo info(bool withCounts = true) = 0;
    virtual CategoryList categories() = 0;
    virtual StreamList streams(const StreamQuery& query) = 0;
    virtual std::optional<StreamInfo> stream(const QString& name) = 0;
    virtual EventPage events(const EventQuery& query) = 0;
    // Count and key range of what the filter selects (keys as in EventQuery).
    virtual ScopeStats scopeStats(const EventFilter& filter) = 0;
    // Every stride-th key of what the filter selects, in order, starting with the first.
    virtual std::vector<qint64> keyAnchors(const EventFilter& filter, int stride) = 0;
    // Every consumer checkpoint the layout keeps, read in one query. Engines without support say so in the note.
    virtual CheckpointSet checkpoints()
    {
        CheckpointSet set;
        set.note = QStringLiteral("this engine does not read checkpoints yet");
        return set;
    }
    // Head, count, and for each position the events after it and the time at it, in one scope (keys as in
    // EventQuery). Throws StoreError where the engine cannot.
    virtual ScopeProgress scopeProgress(const EventFilter& scope, const std::vector<qint64>& positions)
    {
        Q_UNUSED(scope);
        Q_UNUSED(positions);
        throw StoreError(QStringLiteral("this engine does not count lag yet"));
    }
    // scopeProgress for several scopes, in the order asked; a scope that cannot be read carries its error.
    // Engines that answer many scopes in a few statements override it. Throws StoreError only when cancelled.
    virtual std::vector<ScopeProgress> scopesProgress(const std::vector<ScopeRequest>& requests)
    {
        std::vector<ScopeProgress> out;
        out.reserve(requests.size());
        for (const ScopeRequest& r : requests) {
            try {
                out.push_back(scopeProgress(r.scope, r.positions));
            } catch (const StoreError& e) {
                if (e.kind() == StoreError::Kind::Cancelled)
                    throw;
                out.emplace_back().error = e.message();
            }
        }
        return out;
    }
    // Events per time bucket and group, counted by the database. Throws StoreError where the engine cannot.
    virtual Histogram histogram(const HistogramQuery& query)
    {
        Q_UNUSED(query);
        throw StoreError(QStringLiteral("histograms are not supported by this engine"));
    }
    // Every event the query selects (at most query.limit when > 0), forward in key order from query.from to
    // query.to, handed over as raw rows without building Events; how it pages is the engine's business. Returns
    // false, having read nothing, where the engine has no such path (then page through events()). Throws StoreError.
    virtual bool readRaw(const EventQuery& query, RawEventReceiver& receiver)
    {
        Q_UNUSED(query);
        Q_UNUSED(receiver);
        return false;
    }
    // From any thread, returning at once: marks the statement running now on the store's thread as cancelled (it
    // throws StoreError(Cancelled)) and hands back the call that stops it, or nothing when stopping it needed no more.
    // The call may block (PostgreSQL sends the cancel over a new connection, which a server that stopped answering
    // never closes), so StoreSession makes it on a thread of its own; it stays valid after the store is gone.
    virtual std::function<void()> interruption() = 0;
    // interruption() and its call, on the calling thread (which may wait for the server).
    void interrupt()
    {
        if (const std::function<void()> stop = interruption())
            stop();
    }

    // Type catalog (issue 13)
    // The rows of one catalog statement (CatalogPart names its columns), grouped and counted by the database; never
    // payloads. Throws StoreError where the engine cannot.
    virtual CatalogRows catalogRows(const CatalogRequest& request)
    {
        Q_UNUSED(request);
        throw StoreError(QStringLiteral("the type catalog is not supported by this engine"));
    }

    // Summaries kept outside the store (issue 18)
    // Who the store is (StoreIdentity); an invalid identity keeps the store out of the summary cache.
    virtual StoreIdentity identity() { return {}; }
    // Whether an exact count over a large log is as fast in position ranges (fromKey/toKey) as in one statement, so a
    // job may count in parts with progress and stop between them. SQLite reads ranges through its key; PostgreSQL's
    // parallel scan of a whole table was 1.5x faster than ranges read through the index (bench_estimate, 10M).
    virtual bool countsInPartsCheaply() const { return false; }

    // Estimates (issue 18): answers within about a second at any store size, labelled estimated where they were
    // scaled up from a sample of key ranges rather than counted (a small scope or one stream is counted). The
    // defaults count.
    // histogram(query), with Histogram::estimated set when it was estimated.
    virtual Histogram estimateHistogram(const HistogramQuery& query) { return histogram(query); }
    // scopeStats(filter).count, estimated the same way.
    virtual CountEstimate estimateCount(const EventFilter& filter) { return { scopeStats(filter).count, false }; }

    // Flows (issue 14)
    // The events a LinkQuery selects, in position order, built from the profile's "correlation" facts. Throws
    // StoreError where the engine cannot.
    virtual EventList linkedEvents(const LinkQuery& query)
    {
        Q_UNUSED(query);
        throw StoreError(QStringLiteral("flows are not supported by this engine"));
    }
    // Whether an index serves a lookup of this kind over the whole log, as the database's planner says (asked once
    // per store); false where nothing does, and the lookup must be windowed or announced as a full scan.
    virtual bool linkIndexed(LinkQuery::Kind kind)
    {
        Q_UNUSED(kind);
        return false;
    }
    // Many flows: one row per correlation id of the start type's events, grouped by the database, handed to `each`
    // as they are read. Throws StoreError where the engine cannot.
    virtual void flowRows(const FlowScanRequest& request, const std::function<void(const FlowRow&)>& each)
    {
        Q_UNUSED(request);
        Q_UNUSED(each);
        throw StoreError(QStringLiteral("flows are not supported by this engine"));
    }
    // Read-model reconciliation (issue 15): the database's own tables, read-only over this store's connection (its
    // interruption() stops them too); null where the engine cannot.
    virtual TableReader* tables() { return nullptr; }
};

struct OpenOptions {
    QString profile; // force a layout by name
    QString mappingFile; // a user mapping (profile) file
    QString schema; // database schema where the layout allows it
    int statementTimeoutMs = -1; // PostgreSQL: longest a statement may run; -1 = the engine's default, 0 = no limit
};

} // namespace es

Q_DECLARE_METATYPE(es::StoreInfo)
Q_DECLARE_METATYPE(es::StreamInfo)
Q_DECLARE_METATYPE(es::CategoryInfo)
