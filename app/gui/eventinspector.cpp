#include "eventinspector.h"

#include "display/timeformat.h"
#include "payloadview.h"

#include <QFormLayout>
#include <QLabel>
#include <QTabWidget>
#include <QVBoxLayout>

namespace es {

namespace {

QLabel* makeField(QWidget* parent)
{
    auto* l = new QLabel(parent);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
    l->setTextFormat(Qt::RichText);
    l->setWordWrap(true);
    return l;
}

QString missing(const QString& text)
{
    return QStringLiteral("<i style=\"color:#888\">") + text.toHtmlEscaped() + QStringLiteral("</i>");
}

QString link(const QString& href, const QString& text)
{
    return QStringLiteral("<a href=\"") + href + QStringLiteral("\">") + text.toHtmlEscaped() + QStringLiteral("</a>");
}

} // namespace

EventInspector::EventInspector(QWidget* parent)
    : QWidget(parent)
    , m_placeholder(new QLabel(tr("Select an event to inspect it."), this))
    , m_content(new QWidget(this))
    , m_position(makeField(m_content))
    , m_stream(makeField(m_content))
    , m_version(makeField(m_content))
    , m_type(makeField(m_content))
    , m_time(makeField(m_content))
    , m_id(makeField(m_content))
    , m_correlation(makeField(m_content))
    , m_causation(makeField(m_content))
    , m_tabs(new QTabWidget(m_content))
    , m_data(new PayloadView(QStringLiteral("data"), m_tabs))
    , m_metadata(new PayloadView(QStringLiteral("metadata"), m_tabs))
{
    setObjectName(QStringLiteral("eventInspector"));
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setStyleSheet(QStringLiteral("QLabel { color: #888; }"));
    m_type->setObjectName(QStringLiteral("inspectorType"));
    m_position->setObjectName(QStringLiteral("inspectorPosition"));
    m_time->setObjectName(QStringLiteral("inspectorTime"));

    auto* form = new QFormLayout;
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight);
    form->addRow(tr("Position:"), m_position);
    form->addRow(tr("Stream:"), m_stream);
    form->addRow(tr("Version:"), m_version);
    form->addRow(tr("Type:"), m_type);
    form->addRow(tr("Time:"), m_time);
    form->addRow(tr("Id:"), m_id);
    form->addRow(tr("Correlation:"), m_correlation);
    form->addRow(tr("Causation:"), m_causation);

    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_data, tr("Data"));
    m_tabs->addTab(m_metadata, tr("Metadata"));

    auto* contentLayout = new QVBoxLayout(m_content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addLayout(form);
    contentLayout->addWidget(m_tabs, 1);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_placeholder, 1);
    layout->addWidget(m_content, 1);
    m_content->hide();

    for (QLabel* l : { m_stream, m_correlation, m_causation })
        connect(l, &QLabel::linkActivated, this, &EventInspector::linkActivated);
    connect(m_data, &PayloadView::filterRequested, this, &EventInspector::filterRequested);
    connect(m_metadata, &PayloadView::filterRequested, this, &EventInspector::filterRequested);
}

void EventInspector::setSession(StoreSession* session)
{
    if (m_session == session)
        return;
    m_data->setSession(nullptr, m_lane);
    m_metadata->setSession(nullptr, m_lane);
    if (m_session)
        m_session->closeLane(m_lane);
    m_session = session;
    if (!session)
        return;
    // A lane of its own: checking a 500 MB payload must not hold up the table's pages or the counts.
    m_lane = session->openLane(QStringLiteral("inspector-payloads"));
    m_data->setSession(session, m_lane);
    m_metadata->setSession(session, m_lane);
}

void EventInspector::setEvent(const std::optional<Event>& event)
{
    m_event = event;
    m_placeholder->setVisible(!event);
    m_content->setVisible(bool(event));
    if (!event) {
        m_data->clear();
        m_metadata->clear();
        return;
    }
    const Event& e = *event;
    m_position->setText(e.position >= 0 ? QString::number(e.position) : missing(tr("none in this layout")));
    m_stream->setText(e.stream.isEmpty() ? missing(tr("none")) : link(QStringLiteral("stream:"), e.stream));
    m_stream->setToolTip(tr("Show this stream"));
    m_version->setText(e.version >= 0 ? QString::number(e.version) : missing(tr("none")));
    m_type->setText(e.type.isNull() ? missing(tr("(no type: NULL in the store)")) : e.type.toHtmlEscaped());
    m_time->setText(e.time.isValid()
            ? QString(TimeFormat::format(e.time) + u' ' + TimeFormat::zoneLabel()).toHtmlEscaped()
            : missing(tr("none in this layout")));
    m_time->setToolTip(e.time.isValid() ? Event::timeToIso(e.time) : QString());
    m_id->setText(e.id.isEmpty() ? missing(tr("none")) : e.id.toHtmlEscaped());
    m_correlation->setText(e.correlationId.isEmpty() ? missing(tr("none"))
                                                     : e.correlationId.toHtmlEscaped() + QStringLiteral(" &nbsp; ")
                + link(QStringLiteral("correlation:"), tr("events with the same correlation id"))
                + QStringLiteral(" · ") + link(QStringLiteral("flow:"), tr("flow")));
    m_causation->setToolTip({});
    m_causation->setText(e.causationId.isEmpty() ? missing(tr("none"))
                                                 : e.causationId.toHtmlEscaped() + QStringLiteral(" &nbsp; ")
                + link(QStringLiteral("causation:"), tr("go to the causation event")));
    m_data->setPayload(e.data);
    m_metadata->setPayload(e.metadata);
}

void EventInspector::showCausationNote(const QString& causationId, const QString& note)
{
    if (!m_event || m_event->causationId != causationId)
        return;
    m_causation->setText(causationId.toHtmlEscaped() + QStringLiteral(" &nbsp; ") + missing(note));
    m_causation->setToolTip(tr("No event in this store has this id: it may name a command or a message of another "
                               "system."));
}

QString EventInspector::causationText() const
{
    return m_causation->text();
}

void EventInspector::linkActivated(const QString& href)
{
    if (!m_event)
        return;
    if (href == QLatin1String("stream:"))
        Q_EMIT streamRequested(m_event->stream);
    else if (href == QLatin1String("correlation:"))
        Q_EMIT correlationRequested(*m_event);
    else if (href == QLatin1String("causation:"))
        Q_EMIT causationRequested(*m_event);
    else if (href == QLatin1String("flow:"))
        Q_EMIT flowRequested(*m_event);
}

} // namespace es
