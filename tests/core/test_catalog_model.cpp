#include <catch2/catch.hpp>

#include "catalog/typecatalogmodel.h"

#include <QAbstractItemModelTester>

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
