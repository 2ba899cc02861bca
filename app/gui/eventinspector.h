#pragma once

#include "core/event.h"
#include "store/storesession.h"

#include <QPointer>
#include <QWidget>

#include <optional>

class QLabel;
class QTabWidget;

namespace es {

class PayloadView;

// The selected event: its header fields, data and metadata, and links to related events.
class EventInspector : public QWidget {
    Q_OBJECT
public:
    explicit EventInspector(QWidget* parent = nullptr);

    // Big payloads are read on a lane of this session (opened here, closed with the next session).
    void setSession(StoreSession* session);
    void setEvent(const std::optional<Event>& event);
    const std::optional<Event>& event() const { return m_event; }
    // Says, in place of the causation link, why it leads nowhere ("not an event in this store"), while the event
    // with that causation id is shown.
    void showCausationNote(const QString& causationId, const QString& note);
    QString causationText() const;

    PayloadView* dataView() const { return m_data; }
    PayloadView* metadataView() const { return m_metadata; }
    QTabWidget* tabs() const { return m_tabs; }

Q_SIGNALS:
    void correlationRequested(const es::Event& event);
    void causationRequested(const es::Event& event);
    void flowRequested(const es::Event& event); // the event's flow (issue 14)
    void streamRequested(const QString& stream);
    void filterRequested(const QString& condition);

private:
    void linkActivated(const QString& link);

    std::optional<Event> m_event;
    QPointer<StoreSession> m_session;
    StoreSession::Lane m_lane = StoreSession::Lane::Background;
    QLabel* m_placeholder;
    QWidget* m_content;
    QLabel* m_position;
    QLabel* m_stream;
    QLabel* m_version;
    QLabel* m_type;
    QLabel* m_time;
    QLabel* m_id;
    QLabel* m_correlation;
    QLabel* m_causation;
    QTabWidget* m_tabs;
    PayloadView* m_data;
    PayloadView* m_metadata;
};

} // namespace es
