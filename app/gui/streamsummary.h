#pragma once

#include "activity/activity.h"
#include "eventview.h"
#include "store/failure.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QTableWidget;

namespace es {

class Sparkline;
class StoreSession;

// First and last event, count, versions, events per type and the rate over time of a stream, a category or the
// whole log; counted by the database on the background lane, only while visible.
class StreamSummary : public QWidget {
    Q_OBJECT
public:
    explicit StreamSummary(QWidget* parent = nullptr);
    ~StreamSummary() override;

    void setSession(StoreSession* session);
    void setScope(const ViewScope& scope);
    ViewScope scope() const { return m_scope; }
    void refresh();

    const ScopeSummary& summary() const { return m_summary; }
    bool hasSummary() const { return m_hasSummary; }
    bool isCounting() const { return m_ticket != 0; }
    int summariesApplied() const { return m_applied; }
    QTableWidget* typeTable() const { return m_types; }
    QString countText() const;

Q_SIGNALS:
    void updated();
    // The scope's event count was estimated (shown labelled until the summary replaces it).
    void estimated();
    void failed(const es::Failure& failure);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void apply(const ScopeSummary& summary);
    void clearFields(const QString& state);

    QPointer<StoreSession> m_session;
    ViewScope m_scope;
    ScopeSummary m_summary;
    bool m_hasSummary = false;
    bool m_dirty = true;
    quint64 m_ticket = 0;
    quint64 m_estimateTicket = 0;
    quint64 m_generation = 0;
    int m_applied = 0;

    QLabel* m_title;
    QLabel* m_state;
    QLabel* m_count;
    QLabel* m_first;
    QLabel* m_last;
    QLabel* m_versionsLabel;
    QLabel* m_versions;
    QLabel* m_note;
    Sparkline* m_rate;
    QLabel* m_rateLabel;
    QTableWidget* m_types;
};

} // namespace es
