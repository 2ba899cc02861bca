#include <catch2/catch.hpp>

#include "casefile/casefile.h"
#include "store/storeregistry.h"
#include "test_layout_support.h"
#include "test_sqlite_support.h"
#include "testutils.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>

using namespace es;
using namespace es::test;

// Case files: written from a store the way Emmett writes it, opened again as a store of layout eventscope-case.

namespace {

QString writeStore(const QTemporaryDir& dir)
{
    const QString path = dir.filePath(QStringLiteral("store.sqlite"));
    EmmettWriter w(path);
    auto msg = [](const char* type, const char* data) {
        EmmettWriter::Message m;
        m.type = QString::fromLatin1(type);
        m.data = data;
        m.created = QStringLiteral("2024-05-01 10:00:00");
        return m;
    };
    w.append(QStringLiteral("account-1"),
        { msg("Opened", R"({"owner": "ann", "email": "ann@example.com"})"), msg("Deposited", R"({"amount": 10})") });
    w.append(QStringLiteral("order-1"), { msg("Placed", R"({"total": 5})") });
    w.append(QStringLiteral("account-2"), { msg("Opened", R"({"owner": "bob", "email": "bob@example.com"})") });
    w.append(QStringLiteral("account-1"), { msg("Deposited", R"({"amount": 20})") });
    return path;
}

CaseContents contents()
{
    CaseContents c;
    c.title = QStringLiteral("Wrong balance after the second deposit");
    c.places.push_back({ QStringLiteral("event"), 5, QStringLiteral("account-1"), 3, {}, QStringLiteral("here") });
    c.places.push_back({ QStringLiteral("stream"), -1, QStringLiteral("account-2"), -1, {}, QStringLiteral("Zoë's") });
    c.places.push_back(
        { QStringLiteral("filter"), -1, {}, -1, QStringLiteral("data.amount > 10"), QStringLiteral("big ones") });
    c.views.push_back({ QStringLiteral("Deposits"), QStringLiteral(R"({"filter":"type = Deposited"})") });
    c.reducerName = QStringLiteral("balance.js");
    c.reducerSource = QStringLiteral("export default { Deposited: (s, e) => s + e.data.amount };");
    return c;
}

} // namespace

TEST_CASE("A case file round trips its events and places, and opens as a store", "[casefile]")
{
    QTemporaryDir dir;
    const QString store = writeStore(dir);
    const QByteArray before = fileDigest(store);
    auto source = StoreRegistry::open(store);
    CaseOptions options;
    options.path = dir.filePath(QStringLiteral("case.sqlite"));
    options.selection.filter.category = QStringLiteral("account");
    options.contents = contents();
    const ExportResult result = CaseFile::write(*source, options);
    CHECK(result.events == 4);
    CHECK(fileDigest(store) == before); // the inspected store is never written
    CHECK(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size() == 2); // no temporary left

    auto reopened = StoreRegistry::open(options.path);
    const StoreInfo info = reopened->info();
    CHECK(info.layout == CaseFile::layoutName());
    EventFilter accounts;
    accounts.category = QStringLiteral("account");
    const EventList original = readAll(*source, accounts);
    const EventList back = readAll(*reopened);
    REQUIRE(back.size() == original.size());
    for (size_t i = 0; i < back.size(); ++i)
        CHECK(back[i].toJsonLine() == original[i].toJsonLine());

    const CaseContents c = CaseFile::read(options.path);
    const CaseContents expected = contents();
    CHECK(c.title == expected.title);
    CHECK(c.places == expected.places);
    CHECK(c.views == expected.views);
    CHECK(c.reducerName == expected.reducerName);
    CHECK(c.reducerSource == expected.reducerSource);
    CHECK(c.events == 4);
    CHECK(c.source == store);
    CHECK(c.created.isValid());

    // Never over an existing file without overwrite, never over the store itself.
    CHECK_THROWS_AS(CaseFile::write(*source, options), StoreError);
    CaseOptions own = options;
    own.path = store;
    own.overwrite = true;
    try {
        CaseFile::write(*source, own);
        FAIL("wrote over the store");
    } catch (const StoreError& e) {
        CHECK(e.kind() == StoreError::Kind::BadAddress);
    }
    CHECK(fileDigest(store) == before);
}

TEST_CASE("A case file applies the export's redaction", "[casefile]")
{
    QTemporaryDir dir;
    const QString store = writeStore(dir);
    auto source = StoreRegistry::open(store);
    CaseOptions options;
    options.path = dir.filePath(QStringLiteral("redacted.sqlite"));
    options.selection.redact = { QStringLiteral("data.email") };
    options.contents = contents();
    const ExportResult result = CaseFile::write(*source, options);
    CHECK(result.redactedEvents == 2);
    auto reopened = StoreRegistry::open(options.path);
    const EventList events = readAll(*reopened);
    REQUIRE(events.size() == 5);
    int tokens = 0;
    for (const Event& e : events) {
        const QJsonObject data = e.data.toJsonValue().toObject();
        CHECK_FALSE(e.data.bytes.contains("@example.com"));
        if (data.contains(QStringLiteral("email"))) {
            CHECK(data.value(QStringLiteral("email")).toString().startsWith(QLatin1String("hmac:")));
            CHECK(data.contains(QStringLiteral("owner")));
            ++tokens;
        }
    }
    CHECK(tokens == 2);
    CHECK(CaseFile::read(options.path).redacted == QStringList { QStringLiteral("data.email") });
}

TEST_CASE("A case keeps its reducer by name and source, and gives it back as a reducer key", "[casefile]")
{
    QTemporaryDir dir;
    const QString js = dir.filePath(QStringLiteral("balance.js"));
    const QByteArray source = "export default { Deposited: (s, e) => s + e.data.amount };\n";
    {
        QFile f(js);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(source);
    }
    CaseContents c;
    REQUIRE(CaseFile::takeReducer(js, &c));
    CHECK(c.reducerName == QLatin1String("balance.js"));
    CHECK(c.reducerSource.toUtf8() == source);

    // Given back from the cache folder, never from where the case was written; the same source gives the same file.
    const QString key = CaseFile::reducerKey(c);
    REQUIRE_FALSE(key.isEmpty());
    CHECK(key != js);
    CHECK(key.endsWith(QLatin1String("/balance.js")));
    CHECK(key.startsWith(QStandardPaths::writableLocation(QStandardPaths::CacheLocation)));
    QFile kept(key);
    REQUIRE(kept.open(QIODevice::ReadOnly));
    CHECK(kept.readAll() == source);
    CHECK(CaseFile::reducerKey(c) == key);
    CaseContents other = c;
    other.reducerSource += QStringLiteral("// changed\n");
    CHECK(CaseFile::reducerKey(other) != key);

    // A name written by hand cannot reach outside the folder.
    CaseContents hostile = c;
    hostile.reducerName = QStringLiteral("../../evil");
    const QString safe = CaseFile::reducerKey(hostile);
    CHECK(safe.endsWith(QLatin1String("/evil.js")));
    CHECK_FALSE(safe.contains(QLatin1String("..")));

    // The samples compiled in and the merge reducers.
    CaseContents sample;
    REQUIRE(CaseFile::takeReducer(QStringLiteral(":/reducers/accounts.js"), &sample));
    CHECK(sample.reducerName == QLatin1String("accounts.js"));
    CHECK_FALSE(sample.reducerSource.isEmpty());
    CaseContents merge;
    REQUIRE(CaseFile::takeReducer(QStringLiteral("merge"), &merge));
    CHECK(merge.reducerSource.isEmpty());
    CHECK(CaseFile::reducerKey(merge) == QLatin1String("merge"));
    CHECK(CaseFile::reducerKey(CaseContents {}).isEmpty());

    QString error;
    CaseContents missing;
    CHECK_FALSE(CaseFile::takeReducer(dir.filePath(QStringLiteral("none.js")), &missing, &error));
    CHECK(error.contains(QLatin1String("none.js")));
}
