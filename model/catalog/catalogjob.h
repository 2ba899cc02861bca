#pragma once

#include "catalog/catalogscan.h"
#include "store/job.h"

#include <QObject>
#include <QPointer>

#include <memory>

namespace es {

class StoreSession;

// Reads the type catalog on the session's background lane: estimates and a sample first, then exact type counts and
// streams, then (with options.exact) exact fields and shapes, each stage delivered by catalogAvailable(). Only the
// newest request delivers: starting another cancels (interrupts) the one running. Exactly one of finished, failed or
// cancel() ends a run.
class CatalogJob : public QObject {
    Q_OBJECT
public:
    explicit CatalogJob(QObject* parent = nullptr);
    ~CatalogJob() override;

    void setSession(StoreSession* session);
    StoreSession* session() const { return m_session.data(); }
    // Returns the request's generation.
    quint64 start(const CatalogOptions& options);
    void cancel();
    bool isRunning() const { return m_ticket != 0; }
    quint64 generation() const { return m_generation.current(); }

Q_SIGNALS:
    void runningChanged(bool running);
    // A stage of the catalog: the sample, then exact counts, then exact fields (`last` on the final one).
    void catalogAvailable(std::shared_ptr<const es::TypeCatalog> catalog, bool last, quint64 generation);
    // Between stages: what is being counted or read ("Counting types", "Reading fields and shapes").
    void progress(qint64 done, qint64 total, const QString& what);
    void finished(quint64 generation);
    void failed(const es::Failure& failure);

private:
    void settle();

    QPointer<StoreSession> m_session;
    quint64 m_ticket = 0;
    Generation m_generation;
};

} // namespace es
