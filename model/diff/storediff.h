#pragma once

#include "store/eventstore.h"

#include <QByteArray>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <vector>

namespace es {

// How events of the two stores are paired.
enum class DiffMatch {
    Auto, // by id when the first event of both stores has one, else by stream and version
    Id,
    StreamVersion,
};

struct DiffOptions {
    EventFilter filter; // the same scope on both sides: everything, one stream or one category
    // B's own scope, to compare one stream of A with another stream of B (B may be the same store): events are then
    // paired by version alone, and their stream names, ids and positions are not compared.
    std::optional<EventFilter> filterB;
    DiffMatch match = DiffMatch::Auto;
    // How far (in events) an event may sit from its partner in the other store's read order and still be paired;
    // also the most unpaired events held in memory per side. See docs/ARCHITECTURE.md, "Diff".
    qint64 window = 100000;
};

// One difference. `a` and `b` are the events as `events --json` prints them (empty: absent).
struct DiffChange {
    enum class Kind { Changed, Removed, Added };
    Kind kind = Kind::Changed;
    QString stream;
    qint64 version = -1;
    QString id;
    QStringList paths; // for Changed: "type", "time", "data.amount", "metadata.user.id", ...
    QByteArray a;
    QByteArray b;

    static QString kindName(Kind kind);
    // {"change":…,"stream":…,"version":…,"id":…,"paths":[…],"a":{…}|null,"b":{…}|null}, without a newline.
    QByteArray toJsonLine() const;
};

struct DiffCounts {
    qint64 changed = 0;
    qint64 removed = 0;
    qint64 added = 0;
    qint64 total() const { return changed + removed + added; }
};

struct DiffSummary {
    qint64 eventsA = 0;
    qint64 eventsB = 0;
    qint64 unchanged = 0;
    DiffCounts counts;
    std::map<QString, DiffCounts> perStream; // only streams with differences
    bool matchedById = false;
    qint64 maxPending = 0; // the most unpaired events held at once (both sides)
    qint64 elapsedMs = 0;
    bool differs() const { return counts.total() > 0; }
};

struct DiffProgress {
    qint64 eventsA = 0;
    qint64 eventsB = 0;
    qint64 totalA = -1; // estimate of A's events in the scope; -1 unknown
    qint64 differences = 0;
    qint64 elapsedMs = 0;
};

// Compares two stores (or one stream or category of each) as a streaming merge: A is read on the calling thread
// and B on a thread of its own, both through EventStore::readRaw in key order, never either one whole in memory.
// Events are paired by id or by (stream, version) within DiffOptions::window events of read order; see the .cpp.
class StoreDiff {
public:
    using ChangeSink = std::function<void(const DiffChange&)>;
    using ProgressFn = std::function<void(const DiffProgress&)>;

    // `b` is used only on the helper thread while run() runs. Throws StoreError (Cancelled when *cancel became true;
    // a failure of B says so in its message and keeps its kind).
    static DiffSummary run(EventStore& a, EventStore& b, const DiffOptions& options, const ChangeSink& sink,
        const ProgressFn& progress = {}, const std::atomic<bool>* cancel = nullptr);
};

} // namespace es

Q_DECLARE_METATYPE(es::DiffChange)
Q_DECLARE_METATYPE(es::DiffSummary)
Q_DECLARE_METATYPE(es::DiffProgress)
