#include "gotodialog.h"

#include "core/event.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

namespace es {

GoToDialog::GoToDialog(bool streamScope, QWidget* parent)
    : QDialog(parent)
    , m_edit(new QLineEdit(this))
    , m_hint(new QLabel(this))
{
    setWindowTitle(streamScope ? tr("Go to Version or Time") : tr("Go to Position or Time"));
    auto* label = new QLabel(
        streamScope ? tr("Stream version, or a time (UTC):") : tr("Global position, or a time (UTC):"), this);
    m_edit->setPlaceholderText(tr("e.g. 150000 or 2024-05-01 08:30"));
    m_hint->setStyleSheet(QStringLiteral("QLabel { color: #b3261e; }"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(label);
    layout->addWidget(m_edit);
    layout->addWidget(m_hint);
    layout->addWidget(buttons);
    auto* ok = buttons->button(QDialogButtonBox::Ok);
    ok->setText(tr("Go"));
    ok->setEnabled(false);
    connect(m_edit, &QLineEdit::textChanged, this, [this, ok](const QString& text) {
        const bool good = parse(text).has_value();
        ok->setEnabled(good);
        m_hint->setText(good || text.trimmed().isEmpty() ? QString() : tr("Not a number or an ISO 8601 time"));
    });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    resize(380, sizeHint().height());
}

QString GoToDialog::text() const
{
    return m_edit->text();
}

std::optional<GoToDialog::Target> GoToDialog::parse(const QString& text)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return std::nullopt;
    bool isNumber = false;
    const qint64 key = QLocale::c().toLongLong(QString(t).remove(QLatin1Char(',')).remove(QLatin1Char('_')), &isNumber);
    if (isNumber && key >= 0)
        return Target { key, {} };
    const QDateTime time = parseStoreTime(t.toUtf8());
    if (time.isValid())
        return Target { std::nullopt, time };
    return std::nullopt;
}

} // namespace es
