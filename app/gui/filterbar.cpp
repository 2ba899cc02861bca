#include "filterbar.h"

#include "core/event.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QToolButton>
#include <QVBoxLayout>

namespace es {

namespace {

bool looksLikeCondition(const QString& text)
{
    static const QRegularExpression re(
        QStringLiteral("^\\s*(data|metadata|meta)\\s*[.\\[]"), QRegularExpression::CaseInsensitiveOption);
    return re.match(text).hasMatch();
}

bool parseTime(const QString& text, QDateTime* out)
{
    *out = {};
    if (text.trimmed().isEmpty())
        return true;
    *out = parseStoreTime(text.trimmed().toUtf8());
    return out->isValid();
}

} // namespace

FilterBar::FilterBar(QWidget* parent)
    : QWidget(parent)
    , m_types(new QLineEdit(this))
    , m_from(new QLineEdit(this))
    , m_to(new QLineEdit(this))
    , m_query(new QLineEdit(this))
    , m_apply(new QToolButton(this))
    , m_clear(new QToolButton(this))
    , m_error(new QLabel(this))
{
    setObjectName(QStringLiteral("filterBar"));
    m_types->setObjectName(QStringLiteral("filterTypes"));
    m_query->setObjectName(QStringLiteral("filterQuery"));
    m_error->setObjectName(QStringLiteral("filterError"));

    m_types->setPlaceholderText(tr("Event types"));
    m_types->setToolTip(tr("Show only events of these types, comma-separated, e.g. OrderPlaced, PaymentCaptured"));
    m_from->setPlaceholderText(tr("From (UTC)"));
    m_from->setToolTip(tr("Inclusive start time, UTC: an ISO 8601 date or date and time, e.g. 2024-05-01 08:00"));
    m_to->setPlaceholderText(tr("To (UTC)"));
    m_to->setToolTip(tr("Exclusive end time, UTC"));
    m_query->setPlaceholderText(tr("Text, or a condition like data.amount > 100"));
    m_query->setToolTip(tr("Plain text matches data or metadata containing it.\n"
                           "A condition starts with data. or metadata.: path, operator (= != < <= > >= ~ contains "
                           "exists) and value;\njoin conditions with \"and\"."));
    for (QLineEdit* e : { m_types, m_from, m_to, m_query }) {
        e->setClearButtonEnabled(true);
        connect(e, &QLineEdit::returnPressed, this, &FilterBar::apply);
    }
    m_apply->setText(tr("Apply"));
    m_apply->setToolTip(tr("Apply the filter (Enter)"));
    m_apply->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_clear->setText(tr("Clear"));
    m_clear->setToolTip(tr("Remove every filter"));
    connect(m_apply, &QToolButton::clicked, this, &FilterBar::apply);
    connect(m_clear, &QToolButton::clicked, this, [this] {
        clear();
        Q_EMIT applied();
    });

    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("QLabel { color: #b3261e; }"));
    m_error->hide();

    auto* row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_types, 4);
    row->addWidget(m_from, 3);
    row->addWidget(m_to, 3);
    row->addWidget(m_query, 7);
    row->addWidget(m_apply);
    row->addWidget(m_clear);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(row);
    layout->addWidget(m_error);
}

bool FilterBar::buildFilter(EventFilter* filter, QString* error) const
{
    filter->types.clear();
    for (const QString& part : m_types->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString t = part.trimmed();
        if (!t.isEmpty())
            filter->types.append(t);
    }
    if (!parseTime(m_from->text(), &filter->fromTime)) {
        *error = tr("\"%1\" is not a time: use an ISO 8601 date or date and time, e.g. 2024-05-01 08:00")
                     .arg(m_from->text());
        return false;
    }
    if (!parseTime(m_to->text(), &filter->toTime)) {
        *error = tr("\"%1\" is not a time: use an ISO 8601 date or date and time, e.g. 2024-05-01 08:00")
                     .arg(m_to->text());
        return false;
    }
    if (filter->fromTime.isValid() && filter->toTime.isValid() && filter->toTime <= filter->fromTime) {
        *error = tr("The end time must be after the start time.");
        return false;
    }
    filter->text.clear();
    filter->conditions.clear();
    const QString query = m_query->text().trimmed();
    if (looksLikeCondition(query)) {
        QString parseError;
        if (!EventFilter::parseConditions(query, &filter->conditions, &parseError)) {
            *error = tr("Bad condition: %1").arg(parseError);
            return false;
        }
    } else {
        filter->text = query;
    }
    return true;
}

void FilterBar::apply()
{
    EventFilter probe;
    QString error;
    if (!buildFilter(&probe, &error)) {
        showError(error);
        return;
    }
    m_error->hide();
    m_error->clear();
    Q_EMIT applied();
}

void FilterBar::showError(const QString& error)
{
    m_error->setText(error);
    m_error->setVisible(!error.isEmpty());
}

void FilterBar::clear()
{
    for (QLineEdit* e : { m_types, m_from, m_to, m_query })
        e->clear();
    m_error->hide();
    m_error->clear();
}

void FilterBar::setTypes(const QString& types)
{
    m_types->setText(types);
}

void FilterBar::setTimeRange(const QString& from, const QString& to)
{
    m_from->setText(from);
    m_to->setText(to);
}

void FilterBar::setQuery(const QString& query)
{
    m_query->setText(query);
}

QString FilterBar::query() const
{
    return m_query->text();
}

QString FilterBar::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

bool FilterBar::isActive() const
{
    return !m_types->text().trimmed().isEmpty() || !m_from->text().trimmed().isEmpty()
        || !m_to->text().trimmed().isEmpty() || !m_query->text().trimmed().isEmpty();
}

void FilterBar::focusQuery()
{
    m_query->setFocus(Qt::ShortcutFocusReason);
    m_query->selectAll();
}

} // namespace es
