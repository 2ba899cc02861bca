#include <catch2/catch.hpp>

#include "testutils.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <sqlite3.h>

#include <vector>

using es::test::runProcess;

namespace {

const QString cli = QStringLiteral(ES_CLI_PATH);
const QString accountsJs = QStringLiteral(ES_SOURCE_DIR "/resources/reducers/accounts.js");

struct StoredEvent {
    qint64 version = 0;
    QString type;
    QJsonObject data;
    QString created; // "yyyy-MM-dd HH:mm:ss", UTC
};

struct FoldStore {
    QTemporaryDir dir;
    QString path;
    QString stream;
    std::vector<StoredEvent> events; // the stream as SQLite holds it, read independently of EventScope
};

// One demo store for the file, written by `eventscope-cli sample`; the busiest account is the stream under test.
const FoldStore& store()
{
    static FoldStore s;
    static bool ready = false;
    if (ready)
        return s;
    s.path = s.dir.filePath(QStringLiteral("fold.sqlite"));
    QByteArray err;
    REQUIRE(runProcess(cli,
                { QStringLiteral("sample"), s.path, QStringLiteral("--events"), QStringLiteral("20000"),
                    QStringLiteral("--seed"), QStringLiteral("5") },
                nullptr, &err)
        == 0);
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(QFile::encodeName(s.path).constData(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* q = nullptr;
    REQUIRE(sqlite3_prepare_v2(db,
                "SELECT stream_id FROM emt_messages WHERE stream_id LIKE 'account-%' AND message_type = "
                "'FundsWithdrawn' GROUP BY stream_id ORDER BY count(*) DESC, stream_id LIMIT 1",
                -1, &q, nullptr)
        == SQLITE_OK);
    REQUIRE(sqlite3_step(q) == SQLITE_ROW);
    s.stream = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)));
    sqlite3_finalize(q);
    REQUIRE(sqlite3_prepare_v2(db,
                "SELECT stream_position, message_type, message_data, created FROM emt_messages WHERE stream_id = ?1 "
                "ORDER BY stream_position",
                -1, &q, nullptr)
        == SQLITE_OK);
    const QByteArray stream = s.stream.toUtf8();
    sqlite3_bind_text(q, 1, stream.constData(), int(stream.size()), SQLITE_TRANSIENT);
    while (sqlite3_step(q) == SQLITE_ROW) {
        StoredEvent e;
        e.version = sqlite3_column_int64(q, 0);
        e.type = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(q, 1)));
        e.data = QJsonDocument::fromJson(QByteArray(reinterpret_cast<const char*>(sqlite3_column_text(q, 2)))).object();
        e.created = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(q, 3)));
        s.events.push_back(e);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    REQUIRE(s.events.size() > 10);
    ready = true;
    return s;
}

// The accounts reducer's balance, computed here by hand over the first n events.
struct Totals {
    qint64 balance = 0;
    qint64 deposited = 0;
    qint64 withdrawn = 0;
    qint64 transactions = 0;
};
Totals totals(std::size_t n, const QString& skipType = {})
{
    Totals t;
    const auto& events = store().events;
    for (std::size_t i = 0; i < std::min(n, events.size()); ++i) {
        const StoredEvent& e = events[i];
        if (e.type == skipType)
            continue;
        const qint64 amount = e.data.value(QStringLiteral("amount")).toInteger();
        if (e.type == QLatin1String("FundsDeposited")) {
            t.balance += amount;
            t.deposited += amount;
            ++t.transactions;
        } else if (e.type == QLatin1String("FundsWithdrawn")) {
            t.balance -= amount;
            t.withdrawn += amount;
            ++t.transactions;
        }
    }
    return t;
}

struct Result {
    int code = -1;
    QByteArray out;
    QByteArray err;
    QJsonObject json() const
    {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(out, &error);
        INFO(out.constData());
        REQUIRE(error.error == QJsonParseError::NoError);
        return doc.object();
    }
};

Result fold(QStringList args)
{
    args.prepend(store().stream);
    args.prepend(QStringLiteral("--stream"));
    args.prepend(store().path);
    args.prepend(QStringLiteral("fold"));
    Result r;
    r.code = runProcess(cli, args, &r.out, &r.err);
    return r;
}

void checkTotals(const QJsonObject& state, const Totals& t)
{
    CHECK(state.value(QStringLiteral("balance")).toInteger() == t.balance);
    CHECK(state.value(QStringLiteral("deposited")).toInteger() == t.deposited);
    CHECK(state.value(QStringLiteral("withdrawn")).toInteger() == t.withdrawn);
    CHECK(state.value(QStringLiteral("transactions")).toInteger() == t.transactions);
}

} // namespace

TEST_CASE("cli fold: the final state of a JS reducer matches an independent fold", "[cli][fold]")
{
    const Result r = fold({ QStringLiteral("--reducer"), accountsJs });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    const QJsonObject state = r.json();
    checkTotals(state, totals(store().events.size()));
    CHECK(state.value(QStringLiteral("accountId")).toString() == store().stream.mid(8));
}

TEST_CASE("cli fold: the merge reducer without --reducer", "[cli][fold]")
{
    const Result r = fold({});
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    QJsonObject expected; // every sample payload is a flat object: a merge keeps the last value of each key
    for (const StoredEvent& e : store().events) {
        for (auto it = e.data.begin(); it != e.data.end(); ++it)
            expected.insert(it.key(), it.value());
    }
    CHECK(r.json() == expected);
}

TEST_CASE("cli fold: --at and --as-of stop at the right event", "[cli][fold]")
{
    const auto& events = store().events;
    const std::size_t n = events.size() / 2;
    const Result at = fold(
        { QStringLiteral("--reducer"), accountsJs, QStringLiteral("--at"), QString::number(events[n - 1].version) });
    REQUIRE(at.code == 0);
    checkTotals(at.json(), totals(n));

    // The last event of a second: --as-of includes every event up to that instant and none after.
    std::size_t k = events.size() / 3;
    while (k + 1 < events.size() && events[k].created == events[k + 1].created)
        ++k;
    const Result asOf = fold({ QStringLiteral("--reducer"), accountsJs, QStringLiteral("--as-of"), events[k].created });
    INFO(asOf.err.constData());
    REQUIRE(asOf.code == 0);
    checkTotals(asOf.json(), totals(k + 1));

    const Result before = fold(
        { QStringLiteral("--reducer"), accountsJs, QStringLiteral("--as-of"), QStringLiteral("2000-01-01T00:00:00Z") });
    REQUIRE(before.code == 0);
    CHECK(before.json().value(QStringLiteral("status")).toString() == QLatin1String("new"));

    CHECK(
        fold({ QStringLiteral("--at"), QStringLiteral("3"), QStringLiteral("--as-of"), events[k].created }).code == 2);
    CHECK(fold({ QStringLiteral("--as-of"), QStringLiteral("yesterday") }).code == 2);
}

TEST_CASE("cli fold: --until stops at the first version where the predicate holds", "[cli][fold]")
{
    const auto& events = store().events;
    // The first withdrawal that leaves the balance below its running maximum: found by hand, then by the CLI.
    qint64 expected = -1;
    qint64 balance = 0;
    qint64 best = 0;
    for (const StoredEvent& e : events) {
        const qint64 amount = e.data.value(QStringLiteral("amount")).toInteger();
        balance += e.type == QLatin1String("FundsDeposited") ? amount
            : e.type == QLatin1String("FundsWithdrawn")      ? -amount
                                                             : 0;
        if (balance < best && e.version > 2) {
            expected = e.version;
            break;
        }
        best = std::max(best, balance);
    }
    REQUIRE(expected > 0);
    const QString maxSoFar = QString::number(best);
    const Result r = fold({ QStringLiteral("--reducer"), accountsJs, QStringLiteral("--until"),
        QStringLiteral("e.version > 2 && state.balance < ") + maxSoFar });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    CHECK(r.err.contains(QByteArray("version " + QByteArray::number(expected) + " (")));
    std::size_t index = 0;
    while (events[index].version != expected)
        ++index;
    checkTotals(r.json(), totals(index + 1));

    const Result never = fold({ QStringLiteral("--until"), QStringLiteral("state.balance < -1") });
    CHECK(never.code == 8);
    CHECK(never.out.isEmpty());
    CHECK(never.err.contains("never held"));

    const Result bad = fold({ QStringLiteral("--until"), QStringLiteral("state.balance <") });
    CHECK(bad.code == 2);
    CHECK(bad.err.contains("--until"));
}

TEST_CASE("cli fold: --skip-type folds as if those events had not happened", "[cli][fold]")
{
    const Result r = fold(
        { QStringLiteral("--reducer"), accountsJs, QStringLiteral("--skip-type"), QStringLiteral("FundsWithdrawn") });
    REQUIRE(r.code == 0);
    const Totals t = totals(store().events.size(), QStringLiteral("FundsWithdrawn"));
    checkTotals(r.json(), t);
    CHECK(r.json().value(QStringLiteral("withdrawn")).toInteger() == 0);
    CHECK(t.balance == t.deposited);
}

TEST_CASE("cli fold: --trace writes one JSON line per event folded", "[cli][fold]")
{
    const auto& events = store().events;
    const Result r = fold({ QStringLiteral("--reducer"), accountsJs, QStringLiteral("--trace") });
    REQUIRE(r.code == 0);
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    REQUIRE(std::size_t(lines.size()) == events.size());
    qint64 previousBalance = 0;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        INFO(lines[i].constData());
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(lines[i], &error).object();
        REQUIRE(error.error == QJsonParseError::NoError);
        QStringList keys = o.keys();
        keys.sort();
        REQUIRE(keys.join(QLatin1Char(',')) == QLatin1String("diff,position,state,type,version"));
        const StoredEvent& e = events[std::size_t(i)];
        CHECK(o.value(QStringLiteral("version")).toInteger() == e.version);
        CHECK(o.value(QStringLiteral("type")).toString() == e.type);
        CHECK(o.value(QStringLiteral("position")).toInteger() > 0);
        const qint64 balance = o.value(QStringLiteral("state")).toObject().value(QStringLiteral("balance")).toInteger();
        CHECK(balance == totals(std::size_t(i) + 1).balance);
        bool balanceInDiff = false;
        for (const QJsonValue& change : o.value(QStringLiteral("diff")).toArray()) {
            const QJsonObject c = change.toObject();
            if (c.value(QStringLiteral("path")).toString() == QLatin1String("balance")) {
                balanceInDiff = true;
                CHECK(c.value(QStringLiteral("op")).toString() == QLatin1String("changed"));
                CHECK(c.value(QStringLiteral("old")).toInteger() == previousBalance);
                CHECK(c.value(QStringLiteral("new")).toInteger() == balance);
            }
        }
        CHECK(balanceInDiff == (balance != previousBalance));
        previousBalance = balance;
    }

    const Result skipped = fold({ QStringLiteral("--reducer"), accountsJs, QStringLiteral("--trace"),
        QStringLiteral("--skip-type"), QStringLiteral("FundsDeposited") });
    REQUIRE(skipped.code == 0);
    CHECK_FALSE(skipped.out.contains("\"type\":\"FundsDeposited\""));
}

TEST_CASE("cli fold: a throwing reducer is reported with the event", "[cli][fold]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("throws.js"));
    QFile file(path);
    REQUIRE(file.open(QIODevice::WriteOnly));
    file.write("fromStream('x').when({\n"
               "  $init: () => ({ n: 0 }),\n"
               "  FundsDeposited: (s, e) => { s.n++; },\n"
               "  FundsWithdrawn: (s, e) => { throw new Error('no withdrawals here'); }\n"
               "});\n");
    file.close();
    qint64 firstWithdrawal = -1;
    for (const StoredEvent& e : store().events) {
        if (e.type == QLatin1String("FundsWithdrawn")) {
            firstWithdrawal = e.version;
            break;
        }
    }
    const Result r = fold({ QStringLiteral("--reducer"), path });
    CHECK(r.code == 7);
    CHECK(r.out.isEmpty());
    INFO(r.err.constData());
    CHECK(r.err.contains(QByteArray("FundsWithdrawn at version " + QByteArray::number(firstWithdrawal))));
    CHECK(r.err.contains("no withdrawals here"));

    REQUIRE(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("({ $init: () => ({ n: 0 }), FundsDeposited: (s, e) => { s.n++ ");
    file.close();
    const Result syntax = fold({ QStringLiteral("--reducer"), path });
    CHECK(syntax.code == 7);
    CHECK(syntax.err.contains("syntax"));

    CHECK(fold({ QStringLiteral("--reducer"), dir.filePath(QStringLiteral("missing.js")) }).code == 2);
    Result noStream;
    noStream.code = runProcess(cli, { QStringLiteral("fold"), store().path }, &noStream.out, &noStream.err);
    CHECK(noStream.code == 2);
}

TEST_CASE("cli fold: --memory-limit stops a state that grows past it", "[cli][fold]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("grows.js"));
    QFile file(path);
    REQUIRE(file.open(QIODevice::WriteOnly));
    file.write("({ $init: () => ({ all: [] }), $any: (s, e) => { s.all.push(e.data); } })\n");
    file.close();

    const Result js
        = fold({ QStringLiteral("--reducer"), path, QStringLiteral("--memory-limit"), QStringLiteral("1K") });
    INFO(js.err.constData());
    CHECK(js.code == 7);
    CHECK(js.out.isEmpty());
    CHECK(js.err.contains("out of memory budget"));
    CHECK(js.err.contains("past the memory budget of 1.0 KB"));

    const Result merge = fold({ QStringLiteral("--memory-limit"), QStringLiteral("40") });
    INFO(merge.err.constData());
    CHECK(merge.code == 7);
    CHECK(merge.err.contains("past the memory budget of 40 bytes"));

    // Within the limit, and with none.
    CHECK(
        fold({ QStringLiteral("--reducer"), path, QStringLiteral("--memory-limit"), QStringLiteral("64M") }).code == 0);
    CHECK(fold({ QStringLiteral("--reducer"), path, QStringLiteral("--memory-limit"), QStringLiteral("0") }).code == 0);
    const Result bad = fold({ QStringLiteral("--memory-limit"), QStringLiteral("lots") });
    CHECK(bad.code == 2);
    CHECK(bad.err.contains("--memory-limit: \"lots\" is not a size"));
}
