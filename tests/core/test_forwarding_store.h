#pragma once

// An EventStore that hands every read to another: tests wrap a store to record its requests or to fail some of them.

#include "store/eventstore.h"

namespace es::test {

class ForwardingStore : public EventStore {
public:
    explicit ForwardingStore(EventStore& store)
        : m_store(store)
    { }

    QString address() const override { return m_store.address(); }
    StoreInfo info(bool withCounts) override { return m_store.info(withCounts); }
    CategoryList categories() override { return m_store.categories(); }
    StreamList streams(const StreamQuery& q) override { return m_store.streams(q); }
    std::optional<StreamInfo> stream(const QString& name) override { return m_store.stream(name); }
    EventPage events(const EventQuery& q) override { return m_store.events(q); }
    ScopeStats scopeStats(const EventFilter& f) override { return m_store.scopeStats(f); }
    std::vector<qint64> keyAnchors(const EventFilter& f, int stride) override { return m_store.keyAnchors(f, stride); }
    std::function<void()> interruption() override { return m_store.interruption(); }
    Histogram histogram(const HistogramQuery& q) override { return m_store.histogram(q); }
    Histogram estimateHistogram(const HistogramQuery& q) override { return m_store.estimateHistogram(q); }
    CatalogRows catalogRows(const CatalogRequest& request) override { return m_store.catalogRows(request); }

protected:
    EventStore& m_store;
};

} // namespace es::test
