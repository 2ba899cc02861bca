#include "messagebanner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>

namespace es {

MessageBanner::MessageBanner(QWidget* parent)
    : QFrame(parent)
    , m_icon(new QLabel(this))
    , m_label(new QLabel(this))
    , m_close(new QToolButton(this))
{
    setObjectName(QStringLiteral("messageBanner"));
    setFrameShape(QFrame::StyledPanel);
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_label->setObjectName(QStringLiteral("messageBannerText"));
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_close->setToolTip(tr("Dismiss"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->addWidget(m_icon);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_close, 0, Qt::AlignTop);
    connect(m_close, &QToolButton::clicked, this, &MessageBanner::dismiss);
    hide();
}

void MessageBanner::showMessage(const QString& text, Kind kind)
{
    m_kind = kind;
    m_label->setText(text);
    QStyle::StandardPixmap icon = QStyle::SP_MessageBoxInformation;
    QString colors = QStringLiteral("background: #e3f0fb; border: 1px solid #7aaad8;");
    QString textColor = QStringLiteral("#10304d");
    if (kind == Kind::Error) {
        icon = QStyle::SP_MessageBoxCritical;
        colors = QStringLiteral("background: #fbe3e4; border: 1px solid #d87a7e;");
        textColor = QStringLiteral("#4d1013");
    } else if (kind == Kind::Warning) {
        icon = QStyle::SP_MessageBoxWarning;
        colors = QStringLiteral("background: #fdf3dc; border: 1px solid #d8b26a;");
        textColor = QStringLiteral("#4d3810");
    }
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize);
    m_icon->setPixmap(style()->standardIcon(icon).pixmap(size, size));
    setStyleSheet(QStringLiteral("QFrame#messageBanner { ") + colors
        + QStringLiteral(" border-radius: 3px; } QLabel { color: ") + textColor + QStringLiteral("; }"));
    show();
}

void MessageBanner::dismiss()
{
    m_label->clear();
    hide();
}

QString MessageBanner::text() const
{
    return m_label->text();
}

} // namespace es
