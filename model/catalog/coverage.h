#pragma once

// Reducer coverage (issue 13): which of the catalog's types a time-travel reducer handles, which it ignores, and the
// fields its handlers read that some events of a type lack.

#include "catalog/typecatalog.h"

#include <QString>
#include <QStringList>

#include <map>
#include <vector>

namespace es {

class EventStore;
class JobControl;

// What a reading of a JavaScript reducer's source finds: its handlers and the event paths each reads.
struct HandlerReading {
    struct Read {
        QString path; // "data.name", "metadata.userId"
        bool guarded = false; // only tested (`if (e.data.x)`, `e.data.x ?? 0`, `typeof e.data.x`): absence is handled
        bool operator==(const Read&) const = default;
    };
    struct Handler {
        QString key; // the event type, or $any
        std::vector<Read> reads;
        bool sound = true; // every use of the event was followed
        QString why; // when not sound: what the reading could not follow
    };
    bool found = false; // handlers were found by reading
    QString why; // when not found (or a handler is unsound): why the reading is not sound
    std::vector<Handler> handlers; // in source order, without $init
    bool sound() const;
    const Handler* find(const QString& key) const;
};

// Reads the handlers of fromAll()/fromCategory(...).when({...}), module.exports = {...} or top-level functions,
// and in each the reads of its event parameter: `e.data.a.b`, `e.metadata.x`, destructuring (`const { a } =
// e.data`, `function (s, { data: { a } })`) and aliases (`const d = e.data; d.a`). A handler is not sound when its
// event escapes this reading: passed to a function, stored, indexed by a computed key (`e.data[k]`), or data taken
// whole (`Object.assign(s, e.data)`).
HandlerReading readHandlers(QStringView source);

struct MissingRead {
    QString path;
    qint64 events = 0; // events of the type that lack it
    qint64 firstPosition = -1; // the first and last of them (-1 when unknown)
    qint64 lastPosition = -1;
    bool guarded = false; // the handler tests for it
    QString description; // "the reducer reads data.name; 15 CustomerRegistered events since position 40 have no
                         // data.name"
};

struct TypeCoverage {
    QString type;
    qint64 events = 0; // of the catalog
    bool handled = false; // by its own handler or by $any
    QString handler; // the handler's key (the type, or $any); empty when ignored
    QStringList reads; // paths the handler reads
    std::vector<MissingRead> missing; // reads some events lack
    qint64 replayed = 0; // Replay: events folded
    qint64 changed = 0; // Replay: events that changed the state
    qint64 failed = 0; // Replay: events whose handler threw
    QString error; // Replay: the first error
};

struct ReducerCoverage {
    enum class Method {
        Merge, // a merge reducer: every type handled, every field taken as it comes
        Source, // a reading of the JavaScript source (sound)
        Replay, // a replay of a sample of each type's events (the reading was not sound)
    };
    QString reducer; // its name
    Method method = Method::Merge;
    QString why; // Replay: why the source reading was not used
    bool sampled = false; // missing counts come from the catalog's sample (or the replay's), not every event
    std::vector<PositionRange> ranges; // sampled: where the counts come from
    std::vector<TypeCoverage> types; // by type, as the catalog
    QStringList unknownHandlers; // handler keys with no events in the scope
};
QString coverageMethodName(ReducerCoverage::Method method); // "merge", "source", "replay"

struct CoverageOptions {
    QString reducerKey; // a ReducerCatalog key: "merge", "merge-by-type", a .js file or resource
    int replayEvents = 200; // Replay: events folded per type
};

// The coverage of the catalog's types by a reducer. Missing reads are counted by the database over the catalog's
// scope (over its sample when its fields are sampled). Throws StoreError (a reducer that cannot be loaded: Io or
// the reducer's error as the message).
ReducerCoverage reducerCoverage(
    EventStore& store, const TypeCatalog& catalog, const CoverageOptions& options, JobControl* control = nullptr);

} // namespace es
