#pragma once

#include <QByteArray>
#include <QtGlobal>

#include <cstddef>
#include <deque>
#include <random>
#include <vector>

namespace es {

// One generated event. All text is ASCII JSON-safe; `data` is a compact JSON object.
struct SampleEvent {
    QByteArray stream;
    QByteArray type;
    QByteArray data;
    QByteArray messageId; // UUID v4
    QByteArray correlationId;
    QByteArray causationId;
    QByteArray userId;
    QByteArray tenant;
    qint64 version = 0; // position in the stream, from 1, dense
    qint64 appendBase = 0; // stream version before the append this event belongs to
    int appendIndex = 1; // 1-based index within that append
    qint64 timeMs = 0; // UTC epoch milliseconds; the events of one append share it
};

// Random numbers that are the same on every platform: mt19937_64 is specified bit for bit by the standard,
// the std distributions are not, so the distributions are ours (integer and basic IEEE arithmetic only).
class SampleRandom {
public:
    explicit SampleRandom(quint64 seed)
        : m_engine(seed)
    { }
    quint64 bits() { return m_engine(); }
    quint64 below(quint64 n); // [0, n), n > 0
    qint64 between(qint64 lo, qint64 hi); // [lo, hi]
    double unit(); // [0, 1)
    bool chance(double p) { return unit() < p; }
    QByteArray uuid4();
    QByteArray uuid7(qint64 unixMs);

private:
    std::mt19937_64 m_engine;
};

// The demo domain: accounts, orders and shipments whose processes cross aggregates. Produces events one by one in
// global order. State is bounded (accounts capped, open processes capped, finished processes dropped), so any number
// of events can be generated without holding them.
class SampleDomain {
public:
    SampleDomain(quint64 seed, qint64 totalEvents);

    // Fills `out` with the next event; false once totalEvents have been produced.
    bool next(SampleEvent& out);

    qint64 produced() const { return m_produced; }
    qint64 total() const { return m_total; }

    // The state held, for checking the bounded-memory design.
    std::size_t accountCount() const { return m_accounts.size(); }
    std::size_t openProcessCount() const { return m_orders.size(); }
    std::size_t queuedCount() const { return m_queue.size(); }
    std::size_t maxAccounts() const { return m_maxAccounts; }
    std::size_t maxOpenProcesses() const { return m_maxOrders; }

    static constexpr qint64 startTimeMs = 1709510400000; // Monday 2024-03-04 00:00:00 UTC
    static constexpr qint64 spanMs = 42LL * 24 * 3600 * 1000; // about six weeks

private:
    struct Account {
        qint32 id = 0;
        qint32 user = 0;
        qint32 pendingOrders = 0;
        qint32 openSlot = -1; // index in m_openAccounts
        quint8 tenant = 0;
        bool business = false;
        bool closed = false;
        qint64 version = 0;
        qint64 balance = 0; // cents
    };
    enum class Stage : quint8 {
        Placed,
        Confirmed,
        PaymentFailed,
        Charged,
        ShipmentCreated,
        Dispatched,
        Shipped,
        Delivered,
        Lost,
        Refunded
    };
    struct Order {
        qint64 id = 0;
        qint64 shipmentId = 0;
        qint64 version = 0;
        qint64 shipmentVersion = 0;
        qint64 total = 0;
        qint32 account = 0; // index into m_accounts
        qint32 items = 0;
        qint32 carrier = 0;
        Stage stage = Stage::Placed;
        bool marketplace = false;
        QByteArray correlationId;
        QByteArray lastMessageId;
    };
    // One append: several events to one stream, written together.
    struct Pending {
        QByteArray type;
        QByteArray data;
    };

    void step();
    void append(const QByteArray& stream, qint64& version, const std::vector<Pending>& events,
        const QByteArray& correlationId, const QByteArray& causationId, const Account& who,
        QByteArray* lastMessageId = nullptr);
    void advanceClock(int events);
    double rateWeight(qint64 timeMs) const;

    void openAccount();
    void deposit(int index);
    void withdraw(int index);
    void closeAccount(int index);
    void startOrder();
    void advanceOrder(std::size_t index);
    void finishOrder(std::size_t index);
    int pickOpenAccount();

    QByteArray accountStream(const Account& a) const;
    QByteArray accountId(const Account& a) const;
    QByteArray orderStream(const Order& o) const;
    QByteArray orderId(const Order& o) const;
    QByteArray shipmentStream(const Order& o) const;

    SampleRandom m_random;
    qint64 m_total;
    qint64 m_produced = 0;
    qint64 m_nowMs = startTimeMs;
    double m_baseGapMs;
    std::size_t m_maxAccounts;
    std::size_t m_maxOrders;
    qint32 m_nextAccount = 1001;
    qint64 m_nextOrder = 100001;
    qint64 m_nextShipment = 500001;
    qint32 m_nextUser = 1;
    std::vector<Account> m_accounts;
    std::vector<int> m_openAccounts; // indexes of accounts not closed, for uniform picks
    std::vector<Order> m_orders; // open processes
    std::deque<SampleEvent> m_queue;
    quint64 m_daySalt;
};

} // namespace es
