#pragma once

#include "core/event.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonValue>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace es {

// What went wrong in a reducer, and at which event. Errors are values: nothing here throws.
struct ReducerError {
    enum class Kind { Syntax, Threw, Timeout, BadPayload, BadState, Cancelled, Memory };
    Kind kind = Kind::Threw;
    QString message;
    int line = -1; // in the reducer source, where known
    qint64 version = -1; // the event that failed; -1 when no event was involved ($init, loading)
    qint64 position = -1;
    QString eventType;

    QString kindName() const;
    // One line: "FundsWithdrawn at version 12 threw: TypeError: ... (line 7)".
    QString toString() const;
};

// The outcome of folding a run of events: applied events [0, applied); on error events[applied] failed and the
// state is as of events[applied - 1]. When a stop predicate held, `stopped` is set and events[applied - 1] is the one.
struct FoldResult {
    qsizetype applied = 0;
    std::optional<ReducerError> error;
    bool stopped = false;
    bool ok() const { return !error.has_value(); }
};

// A running fold: holds the state between calls. Thread-affine: use it only in the thread that created it.
class Fold {
public:
    // The state may grow to this many bytes of compact JSON unless a caller says otherwise (settings, --memory-limit).
    static constexpr qint64 defaultMemoryBudget = 256LL * 1024 * 1024;

    virtual ~Fold() = default;

    // The most the state may hold, as the length of its compact JSON text; 0 = no limit. A fold whose state grows
    // past it stops with a ReducerError of kind Memory, the state as of the event before the one it names: the merge
    // fold names the event after the one that took it past, a JS fold the last event of the batch (of up to 2048,
    // fewer when a caller applies fewer) after which its state was past it.
    void setMemoryBudget(qint64 bytes) { m_memoryBudget = qMax<qint64>(0, bytes); }
    qint64 memoryBudget() const { return m_memoryBudget; }
    // The error for a state of `bytes` past the budget.
    ReducerError memoryError(qint64 bytes) const;

    // Back to the reducer's initial state ($init). A failing $init leaves the state null and returns the error.
    virtual std::optional<ReducerError> reset() = 0;
    // The state as compact JSON text (cheap to keep as a snapshot, and to hand across threads).
    virtual QByteArray stateJson() = 0;
    virtual bool setStateJson(const QByteArray& json) = 0;
    QJsonValue state();

    // Applies events in order, stopping at the first error: the state stays as of the event before it.
    virtual FoldResult apply(const Event* events, qsizetype count) = 0;
    FoldResult apply(const EventList& events) { return apply(events.data(), qsizetype(events.size())); }

    // One stream folded from the initial state by foldStreams(): its state as compact JSON text, or the error that
    // stopped it (the state then as of the event before, as apply() leaves it; "null" when $init failed). Asked for
    // values at paths, the fold gives those instead of the text.
    struct StreamState {
        QByteArray state; // empty when values at paths were asked for
        std::vector<QJsonValue> values; // with paths: valueAtPath(state, path) for each, undefined where it has none
        std::optional<ReducerError> error;
    };
    // Folds several streams, each from the reducer's initial state: stream i's events are events[ends[i - 1],
    // ends[i]) (ends[-1] = 0), and out[i] is what reset(), apply() and stateJson() give for them alone, errors
    // included. An engine whose calls cost more than the work of a short stream folds them in fewer calls; the state
    // the fold holds afterwards is unspecified (reset() before the next apply()). Needs no stop predicate.
    // With `paths` (steps as parseJsonPathText gives them), out[i].values holds the state's value at each path and
    // out[i].state stays empty: a JavaScript fold then serialises only those values, not each whole state, and does
    // not measure the state against the memory budget (a stream folded here is short; its state is dropped after).
    virtual void foldStreams(const Event* events, const qsizetype* ends, qsizetype streams,
        std::vector<StreamState>& out, const std::vector<QJsonArray>* paths = nullptr);

    // A JS predicate over (state, event): an expression such as `state.balance < 0` (also `s`, `e`, `event`) or a
    // function `(state, event) => ...`. apply() then stops after the first event for which it holds. Empty removes it.
    virtual bool setStopPredicate(const QString& source, ReducerError* error) = 0;

    // False when neither the reducer nor its stop predicate can read an event's metadata: readers may then hand over
    // Events without it (the fold does not change).
    virtual bool readsMetadata() const { return true; }

protected:
    qint64 m_memoryBudget = defaultMemoryBudget;
};

// "256 MB", "1.5 GB", "900 KB": a byte count for messages.
QString formatBytes(qint64 bytes);
// "256M", "2G", "512k", "1000000" (bytes); 0 = no limit. -1 when the text is not a size.
qint64 parseByteSize(const QString& text);

// How to fold a stream: a description that can cross threads. createFold() is called in the thread that folds.
class Reducer {
public:
    virtual ~Reducer() = default;
    virtual QString name() const = 0;
    // A fold at the initial state, or the error that prevents one (syntax error, throwing $init...).
    virtual std::unique_ptr<Fold> createFold(ReducerError* error) const = 0;
};

using ReducerPtr = std::shared_ptr<const Reducer>;

// Parses JSON text of any kind (object, array, scalar) the way reducers hand states over.
QJsonValue parseJsonValue(const QByteArray& json, bool* ok = nullptr);
// Compact JSON text of any value.
QByteArray toJsonText(const QJsonValue& value);

} // namespace es
