#pragma once

#include <QDateTime>

#include <optional>
#include <vector>

namespace es {

// The zoom history of a time chart (Hotspot's FilterAndZoomStack, for time ranges only): zooming in pushes a range,
// zooming out goes back to the one before, reset to the whole span. Ranges are UTC, [from, to).
class ZoomStack {
public:
    struct Range {
        QDateTime from;
        QDateTime to;
    };

    // Pushes [from, to); false, and nothing pushed, unless both are valid and from < to.
    bool push(const QDateTime& from, const QDateTime& to);
    // Back to the range before; false when the whole span shows already.
    bool pop();
    // Back to the whole span; false when it shows already.
    bool reset();

    bool isZoomed() const { return !m_ranges.empty(); }
    int depth() const { return int(m_ranges.size()); }
    // The range shown; nullopt for the whole span.
    std::optional<Range> current() const;

private:
    std::vector<Range> m_ranges;
};

} // namespace es
