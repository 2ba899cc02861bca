#pragma once

#include <QColor>
#include <QWidget>

#include <memory>
#include <vector>

namespace es {

struct TimelineIndex;

// The painting maths of the timeline strip, without painting: where event i is drawn and which event is under x.
// Events share the width evenly; with more events than pixels a pixel column stands for a run of events.
struct TimelineStripGeometry {
    qint64 count = 0;
    int width = 0; // drawable width in pixels
    int margin = 6; // left and right

    double usable() const { return qMax(1, width - 2 * margin); }
    double tickWidth() const { return count > 0 ? usable() / double(count) : 0.0; }
    // Left edge of event i's slot.
    double xOf(qint64 index) const { return margin + tickWidth() * double(index); }
    // Centre of event i's slot, where the cursor is drawn.
    double centreOf(qint64 index) const { return xOf(index) + tickWidth() / 2; }
    // The event under x, clamped to the stream; -1 when empty.
    qint64 indexAt(double x) const;
    // Events drawn in pixel column px: [first, last]; first > last when the column holds none.
    std::pair<qint64, qint64> eventsInColumn(int px) const;
    // The colour a type id is drawn in where no name is at hand.
    static QColor typeColor(int typeId);
    // The colour a type is drawn in in every view (typepalette).
    static QColor typeColor(const QString& type);
};

// One tick per event coloured by type, a draggable cursor, markers for bookmarks, breakpoint hits and a reducer
// error. Keys: Left/Right step, Home/End.
class TimelineStrip : public QWidget {
    Q_OBJECT
public:
    explicit TimelineStrip(QWidget* parent = nullptr);
    ~TimelineStrip() override;

    void setIndex(std::shared_ptr<const TimelineIndex> index);
    const std::shared_ptr<const TimelineIndex>& timelineIndex() const { return m_index; }
    // -1 = before the first event (the initial state).
    void setCursor(qint64 index);
    qint64 cursor() const { return m_cursor; }
    void setMarkers(std::vector<qint64> bookmarks, qint64 errorIndex);
    TimelineStripGeometry geometryForWidth() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    // The user dragged or clicked to this event.
    void cursorRequested(qint64 index);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void requestAt(double x);

    std::shared_ptr<const TimelineIndex> m_index;
    qint64 m_cursor = -1;
    std::vector<qint64> m_bookmarks;
    qint64 m_errorIndex = -1;
    std::vector<int> m_columnTypes; // dominant type id per pixel column, rebuilt on resize
};

} // namespace es
