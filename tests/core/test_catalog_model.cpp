#include <catch2/catch.hpp>

#include "catalog/typecatalogmodel.h"

#include <QAbstractItemModelTester>
#include <QTimeZone>

using namespace es;

// The catalog's item model and drift rules on rows as the catalog statements return them (no store needed).

namespace {

std::optional<QString> s(const char* text)
{
    return QString::fromUtf8(text);
}

// Types rows: type, count, streams, first, last, first time, last time.
CatalogRows typeRows(qint64 scale)
{
    return { { s("Opened"), QString::number(4 * scale), s("4"), s("1"), s("40"), s("2024-01-01 10:00:00"),
                 s("2024-01-02 10:00:00") },
        { s("Pinged"), QString::number(2 * scale), s("1"), s("2"), s("3"), std::nullopt, std::nullopt } };
}

TypeCatalog sampledCatalog()
{
    CatalogAccumulator acc;
    acc.addTypes(typeRows(1), false);
    acc.addTypes(typeRows(10), true);
    // Fields: type, root, path, JSON type, count, first, last, least, greatest, shortest, longest.
    acc.addFields({ { s("Opened"), s("data"), s(R"(["owner"])"), s("text"), s("4"), s("1"), s("40"), std::nullopt,
                        std::nullopt, s("3"), s("5") },
        { s("Opened"), s("data"), s(R"(["zip"])"), s("integer"), s("2"), s("1"), s("10"), s("1001"), s("1002"),
            std::nullopt, std::nullopt },
        { s("Opened"), s("data"), s(R"(["zip"])"), s("text"), s("1"), s("30"), s("30"), std::nullopt, std::nullopt,
            s("4"), s("4") },
        { s("Opened"), s("data"), s(R"(["zip"])"), s("real"), s("1"), s("35"), s("35"), s("2.5"), s("2.5"),
            std::nullopt, std::nullopt },
        { s("Opened"), s("metadata"), s(R"(["a","b c"])"), s("true"), s("3"), s("1"), s("40"), std::nullopt,
            std::nullopt, std::nullopt, std::nullopt } });
    // Shapes: type, kind, shape, count, first, last.
    acc.addShapes({ { s("Opened"), s("object"), s(R"(["owner","zip"])"), s("3"), s("1"), s("35") },
        { s("Opened"), s("object"), s(R"(["owner"])"), s("1"), s("40"), s("40") },
        { s("Pinged"), s("text"), std::nullopt, s("2"), s("2"), s("3") } });
    // Value summary: type, root, path, top|freq, value|n, count.
    acc.addValueSummary({ { s("Opened"), s("data"), s(R"(["owner"])"), s("top"), s(R"("ann")"), s("3") },
        { s("Opened"), s("data"), s(R"(["owner"])"), s("top"), s(R"("bob")"), s("1") },
        { s("Opened"), s("data"), s(R"(["owner"])"), s("freq"), s("3"), s("1") },
        { s("Opened"), s("data"), s(R"(["owner"])"), s("freq"), s("1"), s("1") } });
    TypeCatalog scope;
    scope.firstPosition = 1;
    scope.lastPosition = 100;
    scope.countsExact = true;
    scope.sampleEvents = 6;
    return acc.result(scope);
}

} // namespace

TEST_CASE("catalog accumulator: sampled fields, exact counts, JSON types merged, drift", "[catalog]")
{
    const TypeCatalog c = sampledCatalog();
    REQUIRE(c.types.size() == 2);
    const TypeSummary& opened = c.types[0];
    CHECK(opened.count == 40);
    CHECK(opened.sampledEvents == 4);
    CHECK(opened.sampled);
    CHECK(opened.firstTime.isValid());
    REQUIRE(opened.fields.size() == 3);
    CHECK(opened.fields[0].path == QLatin1String("data.owner"));
    CHECK(opened.fields[1].path == QLatin1String("data.zip"));
    CHECK(opened.fields[2].path == QLatin1String(R"(metadata.a["b c"])"));
    const FieldStats& zip = opened.fields[1];
    CHECK(zip.count == 4);
    REQUIRE(zip.types.size() == 2); // integer and real are both numbers
    CHECK(zip.types.at(QStringLiteral("number")).count == 3);
    CHECK(zip.types.at(QStringLiteral("number")).lastPosition == 35);
    CHECK(*zip.minNumber == 2.5);
    CHECK(*zip.maxNumber == 1002.0);
    CHECK(opened.fields[2].types.count(QStringLiteral("boolean")) == 1);
    const FieldStats& owner = opened.fields[0];
    REQUIRE(owner.topValues.size() == 2);
    CHECK(owner.topValues[0].value == QLatin1String(R"("ann")"));
    // GEE: 4 occurrences in the sample, about 40 in the scope: sqrt(40 / 4) * 1 seen once + 1 seen more.
    CHECK(owner.distinctEstimate == 4);
    // zip numbers then a string, then a number again: mixed, not a change; owner spans every shape: no flag; the
    // type's last event (40) is far from the scope's end (100).
    REQUIRE(opened.drift.size() == 4);
    CHECK(opened.drift[0].kind == DriftFlag::Kind::PathTypeMixed);
    CHECK(opened.drift[0].position == 30);
    CHECK(opened.drift[1].kind == DriftFlag::Kind::FieldVanished);
    CHECK(opened.drift[1].path == QLatin1String("data.zip"));
    CHECK(opened.drift[1].position == 35);
    CHECK(opened.drift[2].kind == DriftFlag::Kind::LateShape);
    CHECK(opened.drift[2].shape == QStringList { QStringLiteral("owner") });
    CHECK(opened.drift[3].kind == DriftFlag::Kind::TypeStopped);
    CHECK(opened.drift[3].position == 40);
    const TypeSummary& pinged = c.types[1];
    CHECK(pinged.payloads.size() == 1);
    CHECK(pinged.payloads[0].kind == QLatin1String("text"));
    CHECK(pinged.drift.size() == 1);
    CHECK(pinged.drift[0].kind == DriftFlag::Kind::TypeStopped);
}

TEST_CASE("type catalog model: types, sections and rows with sampled labels", "[catalog][models]")
{
    TypeCatalogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    CHECK(model.rowCount() == 0);
    model.setCatalog(std::make_shared<const TypeCatalog>(sampledCatalog()));
    REQUIRE(model.rowCount() == 2);
    const QModelIndex opened = model.index(0, 0);
    CHECK(opened.data().toString() == QLatin1String("Opened"));
    CHECK(model.index(0, TypeCatalogModel::CountColumn).data(TypeCatalogModel::SortRole).toLongLong() == 40);
    CHECK(model.index(0, TypeCatalogModel::DetailColumn).data().toString()
        == QLatin1String("counts exact; fields sampled (4 events); 4 drift flag(s)"));
    REQUIRE(model.rowCount(opened) == TypeCatalogModel::SectionCount);
    const QModelIndex fields = model.index(TypeCatalogModel::FieldsSection, 0, opened);
    CHECK(fields.data().toString() == QLatin1String("Fields (3)"));
    CHECK(model.parent(fields) == opened);
    REQUIRE(model.rowCount(fields) == 3);
    const QModelIndex zip = model.index(1, TypeCatalogModel::DetailColumn, fields);
    CHECK(model.parent(zip) == fields);
    CHECK(zip.data().toString()
        == QLatin1String("number 3 (1-35), string 1 (30-30); 2.5 to 1002; length 4-4 (counts from a sample of 4)"));
    CHECK(zip.data(TypeCatalogModel::FilterRole).toString() == QLatin1String("data.zip exists"));
    CHECK(zip.data(TypeCatalogModel::TypeRole).toString() == QLatin1String("Opened"));
    CHECK(zip.data(TypeCatalogModel::SampledRole).toBool());
    const QModelIndex shapes = model.index(TypeCatalogModel::ShapesSection, 0, opened);
    REQUIRE(model.rowCount(shapes) == 2);
    CHECK(model.index(0, 0, shapes).data().toString() == QLatin1String("{owner, zip}"));
    CHECK(model.index(0, 0, shapes).data(TypeCatalogModel::PositionRole).toLongLong() == 1);
    const QModelIndex drift = model.index(TypeCatalogModel::DriftSection, 0, model.index(1, 0));
    REQUIRE(model.rowCount(drift) == 1);
    CHECK(model.index(0, 0, drift).data().toString() == QLatin1String("typeStopped"));
    CHECK(model.index(0, 0, drift).data(TypeCatalogModel::PositionRole).toLongLong() == 3);
    CHECK(model.index(0, 0, drift).data(TypeCatalogModel::FilterRole).toString().isEmpty());
    model.setCatalog(nullptr);
    CHECK(model.rowCount() == 0);
}

TEST_CASE("catalog accumulator: estimated counts and rates first, then exact counts and streams", "[catalog]")
{
    CatalogAccumulator acc;
    // The sample: 2 of Opened in 2 streams.
    acc.addTypes(
        { { s("Opened"), s("2"), s("2"), s("5"), s("6"), s("2024-01-01 10:00:00"), s("2024-01-01 11:00:00") } }, false);
    Histogram h;
    h.bucketSeconds = 3600;
    h.buckets = { 1704103200, 1704110400 }; // 10:00 and 12:00 of 2024-01-01 (UTC)
    h.groups = QStringList { QStringLiteral("Opened"), QStringLiteral("Closed") };
    h.counts = { { 700, 0 }, { 300, 40 } };
    h.estimated = true;
    acc.addRate(h);
    TypeCatalog scope;
    scope.firstPosition = 1;
    scope.lastPosition = 2000;
    scope.firstTime = QDateTime(QDate(2024, 1, 1), QTime(10, 30), Qt::UTC);
    scope.lastTime = QDateTime(QDate(2024, 1, 1), QTime(12, 10), Qt::UTC);
    scope.countsEstimated = true;
    TypeCatalog first = acc.result(scope);
    CHECK(first.rateBucketSeconds == 3600);
    CHECK(first.rateEstimated);
    CHECK(first.rateBuckets == std::vector<qint64> { 1704103200, 1704106800, 1704110400 });
    const TypeSummary* opened = first.find(QStringLiteral("Opened"));
    REQUIRE(opened);
    CHECK(opened->count == 1000);
    CHECK(opened->countEstimated);
    CHECK(opened->rate == std::vector<qint64> { 700, 0, 300 });
    CHECK_FALSE(opened->streamsExact);
    CHECK(opened->streams == 1000); // one stream per event, as in the sample
    const TypeSummary* closed = first.find(QStringLiteral("Closed"));
    REQUIRE(closed); // known from the estimate alone
    CHECK(closed->count == 40);
    CHECK(closed->streams == -1);

    TypeCatalogModel model;
    model.setCatalog(std::make_shared<const TypeCatalog>(first));
    const QModelIndex row = model.index(1, TypeCatalogModel::CountColumn);
    CHECK(row.siblingAtColumn(0).data().toString() == QLatin1String("Opened"));
    CHECK(row.data().toString() == histogram::approximateCount(1000));
    CHECK(row.data(TypeCatalogModel::EstimatedRole).toBool());
    CHECK(row.siblingAtColumn(TypeCatalogModel::StreamsColumn).data().toString() == QString::fromUtf8("≈1000"));
    CHECK(row.data(TypeCatalogModel::RateRole).toList().size() == 3);
    CHECK(row.siblingAtColumn(TypeCatalogModel::DetailColumn)
              .data()
              .toString()
              .startsWith(QLatin1String("counts estimated; fields sampled")));

    // Exact counts over two ranges, without streams; then streams over two partitions.
    acc.addTypes(
        { { s("Opened"), s("600"), std::nullopt, s("1"), s("900"), s("2024-01-01 10:30:00"), s("2024-01-01 11:00:00") },
            { s("Opened"), s("380"), std::nullopt, s("1001"), s("1990"), s("2024-01-01 11:00:00"),
                s("2024-01-01 12:09:00") } },
        true);
    scope.countsExact = true;
    scope.countsEstimated = false;
    const TypeCatalog counted = acc.result(scope);
    CHECK(counted.find(QStringLiteral("Opened"))->count == 980);
    CHECK_FALSE(counted.find(QStringLiteral("Opened"))->countEstimated);
    CHECK(counted.find(QStringLiteral("Opened"))->lastPosition == 1990);
    CHECK_FALSE(counted.find(QStringLiteral("Opened"))->streamsExact);
    acc.addTypeStreams({ { s("Opened"), s("300") } });
    acc.addTypeStreams({ { s("Opened"), s("212") } });
    acc.streamsDone();
    const TypeCatalog exact = acc.result(scope);
    CHECK(exact.streamsExact);
    CHECK(exact.find(QStringLiteral("Opened"))->streams == 512);
    CHECK(exact.find(QStringLiteral("Opened"))->streamsExact);
}
