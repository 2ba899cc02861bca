#include "timelinestrip.h"

#include "display/typepalette.h"
#include "fold/timelineindex.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <cmath>

namespace es {

qint64 TimelineStripGeometry::indexAt(double x) const
{
    if (count <= 0)
        return -1;
    const qint64 i = qint64(std::floor((x - margin) / tickWidth()));
    return qBound<qint64>(0, i, count - 1);
}

std::pair<qint64, qint64> TimelineStripGeometry::eventsInColumn(int px) const
{
    if (count <= 0)
        return { 0, -1 };
    const double w = tickWidth();
    // Events whose slot overlaps [px, px + 1).
    const qint64 first = qMax<qint64>(0, qint64(std::floor((px - margin) / w)));
    const qint64 last = qMin<qint64>(count - 1, qint64(std::ceil((px + 1 - margin) / w)) - 1);
    return { first, last };
}

QColor TimelineStripGeometry::typeColor(const QString& type)
{
    return QColor::fromRgb(typepalette::rgbOf(type));
}

QColor TimelineStripGeometry::typeColor(int typeId)
{
    // Golden-angle hues: neighbouring type ids get well separated colours.
    return QColor::fromHsv(int(std::fmod(typeId * 137.508 + 200.0, 360.0)), 150, 215);
}

TimelineStrip::TimelineStrip(QWidget* parent)
    : QWidget(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setToolTip(tr("One tick per event, coloured by type. Click or drag to move the cursor."));
}

TimelineStrip::~TimelineStrip() = default;

void TimelineStrip::setIndex(std::shared_ptr<const TimelineIndex> index)
{
    m_index = std::move(index);
    m_columnTypes.clear();
    update();
}

void TimelineStrip::setCursor(qint64 index)
{
    if (index == m_cursor)
        return;
    m_cursor = index;
    update();
}

void TimelineStrip::setMarkers(std::vector<qint64> bookmarks, qint64 errorIndex)
{
    m_bookmarks = std::move(bookmarks);
    m_errorIndex = errorIndex;
    update();
}

TimelineStripGeometry TimelineStrip::geometryForWidth() const
{
    return { m_index ? m_index->count() : 0, width(), 6 };
}

QSize TimelineStrip::sizeHint() const
{
    return { 600, 46 };
}

QSize TimelineStrip::minimumSizeHint() const
{
    return { 120, 46 };
}

void TimelineStrip::resizeEvent(QResizeEvent* event)
{
    m_columnTypes.clear();
    QWidget::resizeEvent(event);
}

void TimelineStrip::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    const TimelineStripGeometry g = geometryForWidth();
    const int top = 8;
    const int bottom = height() - 10;
    if (g.count == 0) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter, tr("No events"));
        return;
    }
    if (g.tickWidth() >= 1.0) {
        const double gap = g.tickWidth() >= 4 ? 1.0 : 0.0;
        for (qint64 i = 0; i < g.count; ++i) {
            const QRectF r(g.xOf(i), top, g.tickWidth() - gap, bottom - top);
            p.fillRect(r, TimelineStripGeometry::typeColor(m_index->typeAt(i)));
        }
    } else {
        if (m_columnTypes.empty()) {
            // The most frequent type of each pixel column's run of events.
            m_columnTypes.assign(std::size_t(qMax(0, width())), -1);
            std::vector<int> counts(std::size_t(m_index->types.size() + 1));
            for (int px = g.margin; px < width() - g.margin; ++px) {
                const auto [first, last] = g.eventsInColumn(px);
                if (first > last)
                    continue;
                std::fill(counts.begin(), counts.end(), 0);
                int best = -1;
                for (qint64 i = first; i <= last; ++i) {
                    const int id = qMin<int>(m_index->typeIdAt(i), int(counts.size()) - 1);
                    if (best < 0 || ++counts[std::size_t(id)] > counts[std::size_t(best)])
                        best = id;
                }
                m_columnTypes[std::size_t(px)] = best;
            }
        }
        for (int px = 0; px < int(m_columnTypes.size()); ++px) {
            if (m_columnTypes[std::size_t(px)] >= 0)
                p.fillRect(QRect(px, top, 1, bottom - top),
                    TimelineStripGeometry::typeColor(m_index->types.value(m_columnTypes[std::size_t(px)])));
        }
    }
    if (m_errorIndex >= 0) {
        const double x = g.xOf(m_errorIndex);
        p.fillRect(QRectF(x, top, qMax(2.0, g.tickWidth() * double(g.count - m_errorIndex)), bottom - top),
            QColor(220, 40, 40, 90));
        p.fillRect(QRectF(x, 0, 2, height()), QColor(200, 30, 30));
    }
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(240, 170, 0));
    for (const qint64 b : m_bookmarks) {
        if (b < 0 || b >= g.count)
            continue;
        const double x = g.centreOf(b);
        QPainterPath mark;
        mark.moveTo(x - 5, 0);
        mark.lineTo(x + 5, 0);
        mark.lineTo(x, 7);
        mark.closeSubpath();
        p.drawPath(mark);
    }
    // The cursor: before the first event it sits on the left margin (the initial state).
    const double cx = m_cursor < 0 ? g.margin - 2 : g.centreOf(m_cursor);
    p.setBrush(palette().color(QPalette::Highlight));
    p.drawRect(QRectF(cx - 1.5, 2, 3, height() - 4));
    QPainterPath handle;
    handle.moveTo(cx - 6, height());
    handle.lineTo(cx + 6, height());
    handle.lineTo(cx, height() - 8);
    handle.closeSubpath();
    p.drawPath(handle);
    if (hasFocus()) {
        p.setBrush(Qt::NoBrush);
        p.setPen(QPen(palette().color(QPalette::Highlight), 1, Qt::DotLine));
        p.drawRect(rect().adjusted(0, 0, -1, -1));
    }
}

void TimelineStrip::requestAt(double x)
{
    const qint64 i = geometryForWidth().indexAt(x);
    if (i >= 0 && i != m_cursor)
        Q_EMIT cursorRequested(i);
}

void TimelineStrip::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton)
        requestAt(event->position().x());
}

void TimelineStrip::mouseMoveEvent(QMouseEvent* event)
{
    if (event->buttons() & Qt::LeftButton)
        requestAt(event->position().x());
}

void TimelineStrip::keyPressEvent(QKeyEvent* event)
{
    const qint64 n = m_index ? m_index->count() : 0;
    qint64 target = m_cursor;
    switch (event->key()) {
    case Qt::Key_Left:
        target = qMax<qint64>(-1, m_cursor - 1);
        break;
    case Qt::Key_Right:
        target = qMin<qint64>(n - 1, m_cursor + 1);
        break;
    case Qt::Key_PageUp:
        target = qMax<qint64>(-1, m_cursor - qMax<qint64>(1, n / 20));
        break;
    case Qt::Key_PageDown:
        target = qMin<qint64>(n - 1, m_cursor + qMax<qint64>(1, n / 20));
        break;
    case Qt::Key_Home:
        target = -1;
        break;
    case Qt::Key_End:
        target = n - 1;
        break;
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    if (target != m_cursor)
        Q_EMIT cursorRequested(target);
}

} // namespace es
