#include "sampledomain.h"

#include <algorithm>
#include <array>
#include <initializer_list>

namespace es {

namespace {

// Compact JSON object from trusted ASCII parts (keys and values come from fixed lists and numbers).
class JsonObject {
public:
    JsonObject& str(const char* key, const QByteArray& value)
    {
        Q_ASSERT(!value.contains('"') && !value.contains('\\'));
        this->key(key);
        m_out.append('"').append(value).append('"');
        return *this;
    }
    JsonObject& str(const char* key, const char* value) { return str(key, QByteArray(value)); }
    JsonObject& num(const char* key, qint64 value)
    {
        this->key(key);
        m_out.append(QByteArray::number(value));
        return *this;
    }
    JsonObject& raw(const char* key, const QByteArray& json)
    {
        this->key(key);
        m_out.append(json);
        return *this;
    }
    QByteArray done()
    {
        m_out.append('}');
        return std::move(m_out);
    }

private:
    void key(const char* key) { m_out.append(m_out.size() == 1 ? "\"" : ",\"").append(key).append("\":"); }
    QByteArray m_out = QByteArray(1, '{');
};

struct Product {
    const char* sku;
    const char* name;
    qint64 price; // cents
};

constexpr std::array<Product, 16> catalog { {
    { "SKU-1001", "Espresso beans 1kg", 2490 },
    { "SKU-1002", "Ceramic mug", 1290 },
    { "SKU-1003", "Pour-over kettle", 4990 },
    { "SKU-1004", "Burr grinder", 13900 },
    { "SKU-1005", "Paper filters (100)", 690 },
    { "SKU-2001", "Running shoes", 11900 },
    { "SKU-2002", "Rain jacket", 8950 },
    { "SKU-2003", "Wool socks (3 pairs)", 1995 },
    { "SKU-3001", "USB-C cable 2m", 1499 },
    { "SKU-3002", "Wireless headphones", 17900 },
    { "SKU-3003", "Phone stand", 2250 },
    { "SKU-3004", "Mechanical keyboard", 12900 },
    { "SKU-4001", "Desk lamp", 3990 },
    { "SKU-4002", "Notebook A5", 890 },
    { "SKU-4003", "Fountain pen", 5400 },
    { "SKU-4004", "Backpack 20l", 7900 },
} };

struct City {
    const char* city;
    const char* country;
};

constexpr std::array<City, 12> cities { {
    { "Berlin", "DE" },
    { "Hamburg", "DE" },
    { "Munich", "DE" },
    { "Vienna", "AT" },
    { "Zurich", "CH" },
    { "Amsterdam", "NL" },
    { "Rotterdam", "NL" },
    { "Brussels", "BE" },
    { "Lyon", "FR" },
    { "Paris", "FR" },
    { "Copenhagen", "DK" },
    { "Prague", "CZ" },
} };

constexpr std::array<const char*, 4> tenants { "acme", "globex", "initech", "umbrella" };
constexpr std::array<const char*, 3> carriers { "DHL", "UPS", "DPD" };
constexpr std::array<const char*, 3> channels { "web", "mobile", "store" };
constexpr std::array<const char*, 3> depositSources { "card", "transfer", "payroll" };
constexpr std::array<const char*, 2> withdrawalReasons { "atm", "transfer" };

// Orders per hour of a weekday, relative; quiet nights, a lunch and an evening peak.
constexpr std::array<double, 24> hourlyRate { 0.15, 0.10, 0.08, 0.08, 0.10, 0.20, 0.45, 0.80, 1.20, 1.50, 1.70, 1.75,
    1.90, 1.80, 1.60, 1.50, 1.45, 1.50, 1.60, 1.75, 1.70, 1.35, 0.90, 0.45 };

constexpr qint64 msPerHour = 3600 * 1000;
constexpr qint64 msPerDay = 24 * msPerHour;

QByteArray cat(std::initializer_list<QByteArrayView> parts)
{
    QByteArray out;
    for (QByteArrayView part : parts)
        out.append(part);
    return out;
}

quint64 mix(quint64 x)
{
    // splitmix64 finaliser: a fixed function, used to make busy days from the seed.
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void appendHex(QByteArray& out, quint64 value, int digits)
{
    static const char hex[] = "0123456789abcdef";
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
        out.append(hex[(value >> shift) & 0xF]);
}

QByteArray formatUuid(quint64 hi, quint64 lo)
{
    QByteArray out;
    out.reserve(36);
    appendHex(out, hi >> 32, 8);
    out.append('-');
    appendHex(out, (hi >> 16) & 0xFFFF, 4);
    out.append('-');
    appendHex(out, hi & 0xFFFF, 4);
    out.append('-');
    appendHex(out, lo >> 48, 4);
    out.append('-');
    appendHex(out, lo & 0xFFFFFFFFFFFFULL, 12);
    return out;
}

} // namespace

quint64 SampleRandom::below(quint64 n)
{
    Q_ASSERT(n > 0);
    // Plain modulo: for the ranges used here (< 2^34) the bias is below 2^-30.
    return m_engine() % n;
}

qint64 SampleRandom::between(qint64 lo, qint64 hi)
{
    return lo + static_cast<qint64>(below(static_cast<quint64>(hi - lo + 1)));
}

double SampleRandom::unit()
{
    return static_cast<double>(m_engine() >> 11) * (1.0 / 9007199254740992.0);
}

QByteArray SampleRandom::uuid4()
{
    const quint64 hi = (m_engine() & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
    const quint64 lo = (m_engine() & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
    return formatUuid(hi, lo);
}

QByteArray SampleRandom::uuid7(qint64 unixMs)
{
    const quint64 hi = (static_cast<quint64>(unixMs) << 16) | 0x7000ULL | (m_engine() & 0x0FFFULL);
    const quint64 lo = (m_engine() & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
    return formatUuid(hi, lo);
}

SampleDomain::SampleDomain(quint64 seed, qint64 totalEvents)
    : m_random(seed)
    , m_total(std::max<qint64>(0, totalEvents))
    , m_baseGapMs(static_cast<double>(spanMs) / static_cast<double>(std::max<qint64>(1, totalEvents)))
    , m_maxAccounts(static_cast<std::size_t>(std::clamp<qint64>(totalEvents / 40, 50, 100000)))
    , m_maxOrders(static_cast<std::size_t>(std::clamp<qint64>(totalEvents / 200, 20, 5000)))
    , m_daySalt(mix(seed))
{ }

bool SampleDomain::next(SampleEvent& out)
{
    if (m_produced >= m_total)
        return false;
    while (m_queue.empty())
        step();
    out = std::move(m_queue.front());
    m_queue.pop_front();
    ++m_produced;
    return true;
}

double SampleDomain::rateWeight(qint64 timeMs) const
{
    static const double hourlyMean = [] {
        double sum = 0;
        for (double r : hourlyRate)
            sum += r;
        return sum / static_cast<double>(hourlyRate.size());
    }();
    const qint64 day = timeMs / msPerDay;
    const int hour = static_cast<int>((timeMs % msPerDay) / msPerHour);
    const int weekday = static_cast<int>((day + 3) % 7); // 0 = Monday; 1970-01-01 was a Thursday
    double weight = hourlyRate[static_cast<std::size_t>(hour)] / hourlyMean;
    if (weekday >= 5)
        weight *= 0.6;
    const quint64 dayHash = mix(m_daySalt ^ static_cast<quint64>(day));
    if (dayHash % 9 == 0)
        weight *= 2.2; // a promotion day
    else if (dayHash % 11 == 0)
        weight *= 0.7;
    return weight;
}

void SampleDomain::advanceClock(int events)
{
    const double gap = m_baseGapMs * events * 2.0 * m_random.unit() / rateWeight(m_nowMs);
    m_nowMs += static_cast<qint64>(gap);
}

void SampleDomain::append(const QByteArray& stream, qint64& version, const std::vector<Pending>& events,
    const QByteArray& correlationId, const QByteArray& causationId, const Account& who, QByteArray* lastMessageId)
{
    advanceClock(static_cast<int>(events.size()));
    const qint64 base = version;
    const QByteArray user = cat({ "u-", QByteArray::number(who.user) });
    int index = 0;
    for (const Pending& p : events) {
        SampleEvent e;
        e.stream = stream;
        e.type = p.type;
        e.data = p.data;
        e.messageId = m_random.uuid4();
        e.correlationId = correlationId;
        e.causationId = causationId;
        e.userId = user;
        e.tenant = tenants[who.tenant];
        e.version = ++version;
        e.appendBase = base;
        e.appendIndex = ++index;
        e.timeMs = m_nowMs;
        if (lastMessageId)
            *lastMessageId = e.messageId;
        m_queue.push_back(std::move(e));
    }
}

QByteArray SampleDomain::accountId(const Account& a) const
{
    return cat({ a.business ? "biz-" : "", QByteArray::number(a.id) });
}

QByteArray SampleDomain::accountStream(const Account& a) const
{
    return cat({ "account-", accountId(a) });
}

QByteArray SampleDomain::orderId(const Order& o) const
{
    if (o.marketplace)
        return cat({ tenants[m_accounts[static_cast<std::size_t>(o.account)].tenant], ":", QByteArray::number(o.id) });
    return QByteArray::number(o.id);
}

QByteArray SampleDomain::orderStream(const Order& o) const
{
    return cat({ "order-", orderId(o) });
}

QByteArray SampleDomain::shipmentStream(const Order& o) const
{
    return cat({ "shipment-", QByteArray::number(o.shipmentId) });
}

int SampleDomain::pickOpenAccount()
{
    if (m_openAccounts.empty())
        return -1;
    return m_openAccounts[m_random.below(m_openAccounts.size())];
}

void SampleDomain::step()
{
    if (m_openAccounts.size() < 8) {
        openAccount();
        return;
    }
    const double r = m_random.unit();
    if (r < 0.015)
        openAccount();
    else if (r < 0.060)
        deposit(pickOpenAccount());
    else if (r < 0.072)
        withdraw(pickOpenAccount());
    else if (r < 0.074)
        closeAccount(pickOpenAccount());
    else if (r < 0.144)
        startOrder();
    else {
        // Each open process moves on at a rate that falls as more are open, so a few hundred interleave.
        const double open = static_cast<double>(m_orders.size());
        if (!m_orders.empty() && m_random.unit() < open / (open + 60.0))
            advanceOrder(m_random.below(m_orders.size()));
        else
            startOrder();
    }
}

void SampleDomain::openAccount()
{
    if (m_accounts.size() >= m_maxAccounts) {
        deposit(pickOpenAccount());
        return;
    }
    Account a;
    a.id = m_nextAccount++;
    a.user = m_nextUser++;
    a.business = m_random.chance(0.05);
    a.tenant = static_cast<quint8>(m_random.below(tenants.size()));
    a.openSlot = static_cast<qint32>(m_openAccounts.size());
    const qint64 opening = m_random.between(2, 30) * 1000;
    a.balance = opening;
    m_accounts.push_back(a);
    m_openAccounts.push_back(static_cast<int>(m_accounts.size() - 1));

    Account& account = m_accounts.back();
    const QByteArray id = accountId(account);
    const QByteArray command = m_random.uuid4();
    append(accountStream(account), account.version,
        { { "AccountOpened",
              JsonObject()
                  .str("accountId", id)
                  .str("owner", cat({ "u-", QByteArray::number(account.user) }))
                  .str("tenant", tenants[account.tenant])
                  .str("kind", account.business ? "business" : "personal")
                  .str("currency", "EUR")
                  .num("balance", 0)
                  .done() },
            { "FundsDeposited",
                JsonObject()
                    .str("accountId", id)
                    .num("amount", opening)
                    .num("balance", opening)
                    .str("currency", "EUR")
                    .str("source", "opening-deposit")
                    .done() } },
        command, command, account);
}

void SampleDomain::deposit(int index)
{
    Account& a = m_accounts[static_cast<std::size_t>(index)];
    qint64 amount = a.business ? m_random.between(200, 8000) * 100 : m_random.between(50, 1500) * 100;
    if (m_random.chance(0.3))
        amount += m_random.between(1, 99);
    a.balance += amount;
    const QByteArray command = m_random.uuid4();
    append(accountStream(a), a.version,
        { { "FundsDeposited",
            JsonObject()
                .str("accountId", accountId(a))
                .num("amount", amount)
                .num("balance", a.balance)
                .str("currency", "EUR")
                .str("source", depositSources[m_random.below(depositSources.size())])
                .done() } },
        command, command, a);
}

void SampleDomain::withdraw(int index)
{
    Account& a = m_accounts[static_cast<std::size_t>(index)];
    if (a.balance < 2000) {
        deposit(index);
        return;
    }
    const qint64 amount = std::min(a.balance, m_random.between(2, 40) * 1000);
    a.balance -= amount;
    const QByteArray command = m_random.uuid4();
    append(accountStream(a), a.version,
        { { "FundsWithdrawn",
            JsonObject()
                .str("accountId", accountId(a))
                .num("amount", amount)
                .num("balance", a.balance)
                .str("currency", "EUR")
                .str("reason", withdrawalReasons[m_random.below(withdrawalReasons.size())])
                .done() } },
        command, command, a);
}

void SampleDomain::closeAccount(int index)
{
    Account& a = m_accounts[static_cast<std::size_t>(index)];
    if (a.pendingOrders > 0 || m_openAccounts.size() <= 8) {
        deposit(index);
        return;
    }
    std::vector<Pending> events;
    const QByteArray id = accountId(a);
    if (a.balance > 0) {
        events.push_back({ "FundsWithdrawn",
            JsonObject()
                .str("accountId", id)
                .num("amount", a.balance)
                .num("balance", 0)
                .str("currency", "EUR")
                .str("reason", "closing")
                .done() });
        a.balance = 0;
    }
    events.push_back({ "AccountClosed",
        JsonObject().str("accountId", id).num("balance", 0).str("reason", "customer-request").done() });
    const QByteArray command = m_random.uuid4();
    append(accountStream(a), a.version, events, command, command, a);

    a.closed = true;
    const int last = m_openAccounts.back();
    m_openAccounts[static_cast<std::size_t>(a.openSlot)] = last;
    m_accounts[static_cast<std::size_t>(last)].openSlot = a.openSlot;
    m_openAccounts.pop_back();
    a.openSlot = -1;
}

void SampleDomain::startOrder()
{
    if (m_orders.size() >= m_maxOrders) {
        advanceOrder(m_random.below(m_orders.size()));
        return;
    }
    const int index = pickOpenAccount();
    Account& a = m_accounts[static_cast<std::size_t>(index)];
    ++a.pendingOrders;

    Order o;
    o.id = m_nextOrder++;
    o.account = index;
    o.marketplace = m_random.chance(0.05);
    o.carrier = static_cast<qint32>(m_random.below(carriers.size()));
    o.correlationId = m_random.uuid4();
    const Product& product = catalog[m_random.below(catalog.size())];
    const qint64 quantity = m_random.between(1, 3);
    o.total = product.price * quantity;
    o.items = 1;

    const QByteArray id = orderId(o);
    append(orderStream(o), o.version,
        { { "OrderPlaced",
              JsonObject()
                  .str("orderId", id)
                  .str("accountId", accountId(a))
                  .str("customerId", cat({ "u-", QByteArray::number(a.user) }))
                  .str("channel", channels[m_random.below(channels.size())])
                  .str("currency", "EUR")
                  .done() },
            { "ItemAdded",
                JsonObject()
                    .str("orderId", id)
                    .str("sku", product.sku)
                    .str("name", product.name)
                    .num("quantity", quantity)
                    .num("unitPrice", product.price)
                    .num("lineTotal", product.price * quantity)
                    .num("total", o.total)
                    .done() } },
        o.correlationId, o.correlationId, a, &o.lastMessageId);
    m_orders.push_back(std::move(o));
}

void SampleDomain::finishOrder(std::size_t index)
{
    --m_accounts[static_cast<std::size_t>(m_orders[index].account)].pendingOrders;
    if (index + 1 != m_orders.size())
        m_orders[index] = std::move(m_orders.back());
    m_orders.pop_back();
}

void SampleDomain::advanceOrder(std::size_t index)
{
    Order& o = m_orders[index];
    Account& a = m_accounts[static_cast<std::size_t>(o.account)];
    const QByteArray id = orderId(o);
    const QByteArray cause = o.lastMessageId;
    auto toOrder = [&](const char* type, QByteArray data) {
        append(orderStream(o), o.version, { { type, std::move(data) } }, o.correlationId, cause, a, &o.lastMessageId);
    };
    auto toShipment = [&](const char* type, QByteArray data) {
        append(shipmentStream(o), o.shipmentVersion, { { type, std::move(data) } }, o.correlationId, cause, a,
            &o.lastMessageId);
    };
    const QByteArray carrier = carriers[static_cast<std::size_t>(o.carrier)];
    const QByteArray tracking = cat({ carrier, QByteArray::number(1000000000 + (o.shipmentId * 7919) % 9000000000) });

    switch (o.stage) {
    case Stage::Placed: {
        const double r = m_random.unit();
        if (o.items < 5 && r < 0.30) {
            const Product& product = catalog[m_random.below(catalog.size())];
            const qint64 quantity = m_random.between(1, 3);
            o.total += product.price * quantity;
            ++o.items;
            toOrder("ItemAdded",
                JsonObject()
                    .str("orderId", id)
                    .str("sku", product.sku)
                    .str("name", product.name)
                    .num("quantity", quantity)
                    .num("unitPrice", product.price)
                    .num("lineTotal", product.price * quantity)
                    .num("total", o.total)
                    .done());
        } else if (r < 0.34) {
            toOrder("OrderCancelled", JsonObject().str("orderId", id).str("reason", "customer-request").done());
            finishOrder(index);
        } else {
            toOrder("OrderConfirmed",
                JsonObject().str("orderId", id).num("total", o.total).num("itemCount", o.items).done());
            o.stage = Stage::Confirmed;
        }
        break;
    }
    case Stage::Confirmed:
        if (a.balance >= o.total) {
            // Capture and withdrawal are appended back to back so no other withdrawal sees the funds in between.
            toOrder("PaymentCaptured",
                JsonObject()
                    .str("orderId", id)
                    .str("paymentId", m_random.uuid4())
                    .str("accountId", accountId(a))
                    .num("amount", o.total)
                    .str("currency", "EUR")
                    .done());
            a.balance -= o.total;
            append(accountStream(a), a.version,
                { { "FundsWithdrawn",
                    JsonObject()
                        .str("accountId", accountId(a))
                        .num("amount", o.total)
                        .num("balance", a.balance)
                        .str("currency", "EUR")
                        .str("reason", "payment")
                        .str("orderId", id)
                        .done() } },
                o.correlationId, o.lastMessageId, a);
            o.stage = Stage::Charged;
        } else {
            toOrder("PaymentFailed",
                JsonObject()
                    .str("orderId", id)
                    .str("accountId", accountId(a))
                    .num("amount", o.total)
                    .str("reason", "insufficient-funds")
                    .done());
            o.stage = Stage::PaymentFailed;
        }
        break;
    case Stage::PaymentFailed:
        toOrder("OrderCancelled", JsonObject().str("orderId", id).str("reason", "payment-failed").done());
        finishOrder(index);
        break;
    case Stage::Charged: {
        o.shipmentId = m_nextShipment++;
        const City& city = cities[m_random.below(cities.size())];
        toShipment("ShipmentCreated",
            JsonObject()
                .str("shipmentId", QByteArray::number(o.shipmentId))
                .str("orderId", id)
                .str("carrier", carrier)
                .raw("destination", JsonObject().str("city", city.city).str("country", city.country).done())
                .num("parcels", 1 + o.items / 3)
                .done());
        o.stage = Stage::ShipmentCreated;
        break;
    }
    case Stage::ShipmentCreated:
        toShipment("ShipmentDispatched",
            JsonObject()
                .str("shipmentId", QByteArray::number(o.shipmentId))
                .str("orderId", id)
                .str("carrier", carrier)
                .str("trackingNumber", tracking)
                .done());
        o.stage = Stage::Dispatched;
        break;
    case Stage::Dispatched:
        toOrder("OrderShipped",
            JsonObject()
                .str("orderId", id)
                .str("shipmentId", QByteArray::number(o.shipmentId))
                .str("carrier", carrier)
                .str("trackingNumber", tracking)
                .done());
        o.stage = Stage::Shipped;
        break;
    case Stage::Shipped:
        if (m_random.chance(0.97)) {
            toShipment("ShipmentDelivered",
                JsonObject().str("shipmentId", QByteArray::number(o.shipmentId)).str("orderId", id).done());
            o.stage = Stage::Delivered;
        } else {
            toShipment("ShipmentLost",
                JsonObject()
                    .str("shipmentId", QByteArray::number(o.shipmentId))
                    .str("orderId", id)
                    .str("lastScan", cities[m_random.below(cities.size())].city)
                    .done());
            o.stage = Stage::Lost;
        }
        break;
    case Stage::Delivered:
        toOrder("OrderCompleted",
            JsonObject().str("orderId", id).str("shipmentId", QByteArray::number(o.shipmentId)).done());
        finishOrder(index);
        break;
    case Stage::Lost:
        a.balance += o.total;
        append(accountStream(a), a.version,
            { { "FundsDeposited",
                JsonObject()
                    .str("accountId", accountId(a))
                    .num("amount", o.total)
                    .num("balance", a.balance)
                    .str("currency", "EUR")
                    .str("source", "refund")
                    .str("orderId", id)
                    .done() } },
            o.correlationId, cause, a, &o.lastMessageId);
        o.stage = Stage::Refunded;
        break;
    case Stage::Refunded:
        toOrder("OrderRefunded",
            JsonObject().str("orderId", id).num("amount", o.total).str("reason", "shipment-lost").done());
        finishOrder(index);
        break;
    }
}

} // namespace es
