#pragma once

#include "models/eventpagecache.h"
#include "models/rowkeymap.h"

#include <QCoreApplication>
#include <QDateTime>

#include <memory>
#include <optional>

namespace es {

// Finds the row of a key, or of the first event at or after a time, in the event table. The decisions are taken on
// a RowKeyMap (wait for the count or the anchors, grow a filtered scope further, read one page, done); the reads
// are plain functions of a store, run by the model on its session.
class EventLocator {
    Q_DECLARE_TR_FUNCTIONS(EventLocator)
public:
    enum class Failure { None, NoEvents, NoMatch };

    struct Step {
        enum class Action {
            Wait, // the mapping cannot answer yet; ask again when it changes
            Grow, // a filtered scope must read further first
            ReadPage, // the key is in `page`: read it (or use it cached) and findInPage()
            Found, // `key` is at `row`
            Fail,
        };
        Action action = Action::Wait;
        qint64 key = -1;
        qint64 row = -1;
        qint64 page = -1;
        Failure failure = Failure::None;
    };

    // Binary search over page starts for a time, in a counted scope; everything a worker thread needs.
    struct TimeSearch {
        bool dense = false;
        std::shared_ptr<const std::vector<qint64>> anchors;
        qint64 firstKey = -1;
        qint64 count = 0;
        int pageSize = 256;
        EventFilter filter;
        QDateTime time;
    };

    struct TimeStep {
        enum class Action {
            Wait,
            ReadFirst, // a filtered scope: the first event of `first` (the filter from the time on) is the answer
            Search, // a counted scope: keyAtTime(search)
            Fail,
        };
        Action action = Action::Wait;
        EventQuery first;
        TimeSearch search;
        Failure failure = Failure::None;
    };

    void locateKey(qint64 key) { m_key = key; }
    void locateTime(const QDateTime& utc) { m_time = utc; }
    const std::optional<qint64>& pendingKey() const { return m_key; }
    const std::optional<QDateTime>& pendingTime() const { return m_time; }
    void clearKey() { m_key.reset(); }
    void clear();

    // What to do now for the key asked for. Every action but Wait and Grow ends the request.
    Step resolveKey(const RowKeyMap& map, const ScanProgress& growth);
    // The first row in a cached page at or after `key` (at or before, reading backward); past the page, the next
    // page's first row, or the page's last row at the end of the scope.
    static Step findInPage(
        const RowKeyMap& map, const EventFilter& scope, qint64 page, const EventPageCache::Page& entry, qint64 key);

    // What to do now for the time asked for. Every action but Wait ends the request.
    TimeStep resolveTime(const RowKeyMap& map, const EventFilter& scope);
    // The reads, on the session's threads. Both throw StoreError when there is no answer.
    static qint64 firstKey(EventStore& store, const EventQuery& query);
    static qint64 keyAtTime(EventStore& store, const TimeSearch& search);

private:
    std::optional<qint64> m_key;
    std::optional<QDateTime> m_time;
};

} // namespace es
