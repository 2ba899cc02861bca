#include "filterbar.h"

#include "core/event.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QFontMetrics>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QResizeEvent>
#include <QStringListModel>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

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
    , m_typeCompleter(new QCompleter(this))
    , m_typeNames(new QStringListModel(this))
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
    m_types->setToolTip(tr("Show only events of these types, comma-separated, e.g. OrderPlaced, PaymentCaptured; "
                           "Order* (starts with), *Placed (ends with), *Pay* (contains). Completes from the store's "
                           "types."));
    // Not QLineEdit::setCompleter: that would complete the whole text, not the entry being typed.
    m_typeCompleter->setModel(m_typeNames);
    m_typeCompleter->setCaseSensitivity(Qt::CaseInsensitive);
    m_typeCompleter->setFilterMode(Qt::MatchContains);
    m_typeCompleter->setWidget(m_types);
    connect(m_types, &QLineEdit::textEdited, this, &FilterBar::completeType);
    connect(m_typeCompleter, qOverload<const QString&>(&QCompleter::activated), this, &FilterBar::insertType);
    m_from->setPlaceholderText(tr("From (UTC)"));
    m_from->setToolTip(tr("Inclusive start time, UTC: an ISO 8601 date or date and time, e.g. 2024-05-01 08:00"));
    m_to->setPlaceholderText(tr("To (UTC)"));
    m_to->setToolTip(tr("Exclusive end time, UTC"));
    m_query->setPlaceholderText(tr("Text, or a condition like data.amount > 100"));
    m_query->setToolTip(tr("Plain text matches data or metadata containing it.\n"
                           "A condition starts with data. or metadata.: path, operator (= != < <= > >= ~ contains) "
                           "and value, or path exists / path missing;\njoin conditions with \"and\"."));
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

    // Wide enough for a full timestamp and a long condition: below that the fields go on two rows rather than
    // shrinking until their text is cut ("Fro…").
    const QFontMetrics fm = fontMetrics();
    const int timeWidth = fm.horizontalAdvance(QStringLiteral("2024-05-01 08:00:00")) + 30;
    m_from->setMinimumWidth(timeWidth);
    m_to->setMinimumWidth(timeWidth);
    m_types->setMinimumWidth(fm.horizontalAdvance(QStringLiteral("OrderPlaced")) + 30);
    m_query->setMinimumWidth(fm.horizontalAdvance(QStringLiteral("data.amount > 100 and data.currency = 'EUR'")) + 36);

    m_grid = new QGridLayout;
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setHorizontalSpacing(4);
    m_grid->setVerticalSpacing(2);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    // The bar's minimum width is its two-row form (minimumSizeHint), not whatever row it has now.
    layout->setSizeConstraint(QLayout::SetNoConstraint);
    layout->addLayout(m_grid);
    layout->addWidget(m_error);
    arrange(false);
}

int FilterBar::oneRowWidth() const
{
    const int spacing = m_grid->horizontalSpacing() * 5;
    return m_types->minimumWidth() + m_from->minimumWidth() + m_to->minimumWidth() + m_query->minimumWidth()
        + m_apply->sizeHint().width() + m_clear->sizeHint().width() + spacing;
}

void FilterBar::arrange(bool twoRows)
{
    m_twoRows = twoRows;
    for (QWidget* w : std::initializer_list<QWidget*> { m_types, m_from, m_to, m_query, m_apply, m_clear })
        m_grid->removeWidget(w);
    for (int c = 0; c < m_grid->columnCount(); ++c)
        m_grid->setColumnStretch(c, 0);
    if (twoRows) {
        // The condition first, whole; types and times below it.
        m_grid->addWidget(m_query, 0, 0, 1, 3);
        m_grid->addWidget(m_apply, 0, 3);
        m_grid->addWidget(m_clear, 0, 4);
        m_grid->addWidget(m_types, 1, 0);
        m_grid->addWidget(m_from, 1, 1);
        m_grid->addWidget(m_to, 1, 2, 1, 3);
        m_grid->setColumnStretch(0, 4);
        m_grid->setColumnStretch(1, 3);
        m_grid->setColumnStretch(2, 3);
    } else {
        m_grid->addWidget(m_types, 0, 0);
        m_grid->addWidget(m_from, 0, 1);
        m_grid->addWidget(m_to, 0, 2);
        m_grid->addWidget(m_query, 0, 3);
        m_grid->addWidget(m_apply, 0, 4);
        m_grid->addWidget(m_clear, 0, 5);
        m_grid->setColumnStretch(0, 4);
        m_grid->setColumnStretch(1, 3);
        m_grid->setColumnStretch(2, 3);
        m_grid->setColumnStretch(3, 7);
    }
}

QSize FilterBar::minimumSizeHint() const
{
    // Two rows fit in far less width than one: the bar never forces the window wider than its two-row form.
    QSize hint = QWidget::minimumSizeHint();
    hint.setWidth(std::max({ m_query->minimumWidth() + m_apply->sizeHint().width() + m_clear->sizeHint().width(),
                      m_types->minimumWidth() + m_from->minimumWidth() + m_to->minimumWidth() })
        + 16);
    return hint;
}

void FilterBar::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    const bool twoRows = width() < oneRowWidth();
    if (twoRows != m_twoRows)
        arrange(twoRows);
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

void FilterBar::setTypeNames(const QStringList& names)
{
    m_typeNames->setStringList(names);
}

// The entry being typed is the text after the cursor's last comma.
void FilterBar::completeType()
{
    const QString before = m_types->text().left(m_types->cursorPosition());
    const QString entry = before.mid(before.lastIndexOf(u',') + 1).trimmed();
    if (entry.isEmpty() || entry.contains(u'*') || m_typeNames->rowCount() == 0) {
        m_typeCompleter->popup()->hide();
        return;
    }
    m_typeCompleter->setCompletionPrefix(entry);
    if (m_typeCompleter->completionCount() == 0) {
        m_typeCompleter->popup()->hide();
        return;
    }
    m_typeCompleter->complete();
}

void FilterBar::insertType(const QString& name)
{
    const QString text = m_types->text();
    const int cursor = m_types->cursorPosition();
    const int start = int(text.left(cursor).lastIndexOf(u',')) + 1;
    int end = int(text.indexOf(u',', cursor));
    if (end < 0)
        end = int(text.size());
    QString head = text.left(start);
    if (start > 0)
        head += u' ';
    const QString tail = text.mid(end);
    m_types->setText(head + name + tail);
    m_types->setCursorPosition(int(head.size() + name.size()));
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
