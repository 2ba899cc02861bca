#pragma once

#include "fold/reducer.h"

namespace es {

// The no-code reducer: deep-merges each event's data into the state. Objects merge key by key, arrays and scalars
// replace what was there. Flat merges into the root; ByType merges into state[event type]. A payload that is not a
// JSON object (text, a number, an array) is stored whole under its event type in both modes.
class MergeReducer : public Reducer {
public:
    enum class Mode { Flat, ByType };

    explicit MergeReducer(Mode mode = Mode::Flat)
        : m_mode(mode)
    { }
    Mode mode() const { return m_mode; }
    QString name() const override;
    std::unique_ptr<Fold> createFold(ReducerError* error) const override;

private:
    Mode m_mode;
};

} // namespace es
