#include "gotostreamdialog.h"

#include "store/storesession.h"

#include <QCompleter>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStringListModel>
#include <QTimer>
#include <QVBoxLayout>

namespace es {

GoToStreamDialog::GoToStreamDialog(StoreSession* session, QWidget* parent)
    : QDialog(parent)
    , m_session(session)
    , m_edit(new QLineEdit(this))
    , m_names(new QStringListModel(this))
    , m_completer(new QCompleter(m_names, this))
    , m_debounce(new QTimer(this))
{
    setWindowTitle(tr("Go to Stream"));
    m_edit->setObjectName(QStringLiteral("goToStreamEdit"));
    m_edit->setPlaceholderText(tr("Stream name, e.g. order-1234"));
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setFilterMode(Qt::MatchContains);
    m_completer->setMaxVisibleItems(12);
    m_edit->setCompleter(m_completer);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(200);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Show"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Stream:"), this));
    layout->addWidget(m_edit);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_edit, &QLineEdit::textEdited, m_debounce, qOverload<>(&QTimer::start));
    connect(m_debounce, &QTimer::timeout, this, &GoToStreamDialog::lookUp);
    resize(420, sizeHint().height());
}

QString GoToStreamDialog::stream() const
{
    return m_edit->text().trimmed();
}

QStringList GoToStreamDialog::completions() const
{
    return m_names->stringList();
}

void GoToStreamDialog::lookUp()
{
    const QString text = m_edit->text().trimmed();
    if (!m_session || text.isEmpty() || text == m_asked)
        return;
    m_asked = text;
    if (m_ticket)
        m_session->cancel(m_ticket);
    StreamQuery query;
    query.contains = text;
    query.limit = 50;
    QPointer<GoToStreamDialog> self(this);
    m_ticket = m_session->run<StreamList>(
        StoreSession::Lane::Interactive, this, [query](EventStore& store) { return store.streams(query); },
        [self](StreamList streams) {
            if (!self)
                return;
            QStringList names;
            names.reserve(qsizetype(streams.size()));
            for (const StreamInfo& s : streams)
                names.append(s.name);
            self->m_ticket = 0;
            self->m_names->setStringList(names);
            if (self->m_edit->hasFocus())
                self->m_completer->complete();
        },
        [self](const Failure&) {
            if (self)
                self->m_ticket = 0;
        });
}

} // namespace es
