#pragma once

#include "core/event.h"

#include <QByteArray>
#include <QJsonValue>
#include <QString>

#include <memory>
#include <optional>

namespace es {

// What went wrong in a reducer, and at which event. Errors are values: nothing here throws.
struct ReducerError {
    enum class Kind { Syntax, Threw, Timeout, BadPayload, BadState, Cancelled };
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
    virtual ~Fold() = default;

    // Back to the reducer's initial state ($init). A failing $init leaves the state null and returns the error.
    virtual std::optional<ReducerError> reset() = 0;
    // The state as compact JSON text (cheap to keep as a snapshot, and to hand across threads).
    virtual QByteArray stateJson() = 0;
    virtual bool setStateJson(const QByteArray& json) = 0;
    QJsonValue state();

    // Applies events in order, stopping at the first error: the state stays as of the event before it.
    virtual FoldResult apply(const Event* events, qsizetype count) = 0;
    FoldResult apply(const EventList& events) { return apply(events.data(), qsizetype(events.size())); }

    // A JS predicate over (state, event): an expression such as `state.balance < 0` (also `s`, `e`, `event`) or a
    // function `(state, event) => ...`. apply() then stops after the first event for which it holds. Empty removes it.
    virtual bool setStopPredicate(const QString& source, ReducerError* error) = 0;
};

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
