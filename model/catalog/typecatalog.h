#pragma once

#include "activity/histogram.h"
#include "catalog/catalogrequest.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace es {

// How one JSON type of a path occurs: in how many events, first and last seen.
struct JsonTypeStats {
    qint64 count = 0;
    qint64 firstPosition = -1;
    qint64 lastPosition = -1;
};

struct ValueCount {
    QString value; // JSON text
    qint64 count = 0;
};

// One JSON path of a type's data or metadata ("data.address.zip").
struct FieldStats {
    QString root; // "data" or "metadata"
    QStringList keys; // object keys below the root
    QString path; // the text form: JsonPath::objectKeys(keys).toString(root)
    qint64 count = 0; // events carrying it
    std::map<QString, JsonTypeStats> types; // by JSON type name: string, number, boolean, null, object, array
    std::optional<double> minNumber;
    std::optional<double> maxNumber;
    qint64 minLength = -1; // of string values, in characters
    qint64 maxLength = -1;
    std::vector<ValueCount> topValues; // from the sample, most frequent first
    qint64 distinctEstimate = -1; // from the sample (exact when the sample is the whole scope)
    qint64 firstPosition() const;
    qint64 lastPosition() const;
};

// A distinct set of top-level data keys (sorted by code point), for events whose data is a JSON object.
struct ShapeStats {
    QStringList fields;
    qint64 count = 0;
    qint64 firstPosition = -1;
    qint64 lastPosition = -1;
};

// Payloads by kind: a JSON type (object, array, string, number, boolean, null), or none, xml, text, binary.
struct PayloadKindStats {
    QString kind;
    QString encoding; // how the store keeps it: SQLite's storage class (text, blob), PostgreSQL's type (jsonb, bytea)
    qint64 count = 0;
    qint64 firstPosition = -1;
    qint64 lastPosition = -1;
};

struct DriftFlag {
    enum class Kind {
        FieldAppeared, // a top-level field every event of the type carries from `position` on, none before
        FieldVanished, // a top-level field carried until `position`, never after
        PathTypeChanged, // a path's JSON type changed at `position` (one type ends before the next begins)
        PathTypeMixed, // a path with JSON types whose spans overlap
        LateShape, // a shape first seen at `position`, in the later half of the type's span
        TypeStopped, // the type's last event (`position`) is long before the end of the scope
    };
    Kind kind = Kind::FieldAppeared;
    QString path; // the field or path, when the flag is about one
    QStringList shape; // the shape, for LateShape
    qint64 position = -1;
    QString description; // one line for people
};
QString driftKindName(DriftFlag::Kind kind); // "fieldAppeared", ...

struct TypeSummary {
    QString type;
    qint64 count = 0; // events; exact once TypeCatalog::countsExact, else estimated (countEstimated) or the sample's
    bool countEstimated = false; // count scaled up from a sample (key ranges, or the planner's statistics)
    qint64 countMargin = -1; // while countEstimated: the estimate's error margin, about two standard errors
    qint64 streams = -1; // exact when streamsExact, else estimated from the sample's streams per event
    bool streamsExact = false;
    qint64 firstPosition = -1;
    qint64 lastPosition = -1;
    QDateTime firstTime; // the earliest time
    QDateTime lastTime;
    bool sampled = true; // fields, shapes and payload kinds come from a sample of the scope
    qint64 sampledEvents = 0; // events of this type the sample held
    std::vector<FieldStats> fields; // by path
    std::vector<ShapeStats> shapes; // by first position
    std::vector<PayloadKindStats> payloads; // by count, most first
    std::vector<DriftFlag> drift;
    std::vector<qint64> rate; // events per bucket of TypeCatalog::rateBuckets (empty when unknown)
};

// What the scope holds, type by type. Shared as shared_ptr<const TypeCatalog> between threads and views.
struct TypeCatalog {
    EventFilter scope;
    qint64 firstPosition = -1; // of the scope
    qint64 lastPosition = -1;
    bool countsExact = false; // type counts, positions and times are exact (else estimated or from the sample)
    bool countsEstimated = false; // while not exact: counts scaled up from a key-range sample of the scope
    bool countsFromStatistics = false; // ... or from the planner's statistics of the whole table (TypeStatistics)
    bool streamsExact = false; // streams per type are exact
    QDateTime firstTime; // of the scope's first and last events
    QDateTime lastTime;
    // Each type's rate over time: bucket starts (UTC epoch seconds, every bucket of the scope's span), estimated
    // when rateEstimated.
    qint64 rateBucketSeconds = 0;
    std::vector<qint64> rateBuckets;
    bool rateEstimated = false;
    bool fieldsExact = false; // fields, shapes and payload kinds are exact
    bool valuesExact = false; // top values and distinct estimates read the whole scope
    std::vector<PositionRange> sample; // the sample's ranges (empty when the sample was the whole scope)
    qint64 sampleEvents = 0;
    std::vector<TypeSummary> types; // by type name

    const TypeSummary* find(const QString& type) const;
};

// Turns the rows of the catalog statements into a TypeCatalog. Rows of several statements over disjoint ranges of
// one part add up (counts summed, first/last and ranges widened), which is how the exact catalog is read in chunks.
class CatalogAccumulator {
public:
    // Types rows: exact counts when `exact`, else the sample's (which also sets each type's sampledEvents). Exact
    // rows without streams (request.withStreams false) leave streams to addTypeStreams.
    void addTypes(const CatalogRows& rows, bool exact);
    // TypeStreams rows of one partition; after every partition, streamsDone() makes the sums the exact streams.
    void addTypeStreams(const CatalogRows& rows);
    void streamsDone();
    // Types rows of a key-range sample whose positions stand for `scale` times as many: estimated counts, each with
    // a margin of two standard errors taking the sampled events as independent (2 * scale * sqrt(sampled)).
    void addEstimate(const CatalogRows& rows, double scale);
    // TypeStatistics rows for a scope of `positions` positions: each most common type's frequency times the table's
    // rows, with a margin of two standard errors of a frequency from ANALYZE's random sample, plus the positions the
    // row estimate leaves unexplained. False (nothing added) without statistics, or when the table's row estimate is
    // off the scope's positions by more than 10% (statistics older than much of the log, or a log with many gaps).
    bool addStatistics(const CatalogRows& rows, qint64 positions);
    // A by-type histogram (estimated or counted): each type's rate over time; its totals become the counts when no
    // estimate is there yet (a counted histogram's are exact).
    void addRate(const Histogram& histogram);
    void addFields(const CatalogRows& rows);
    void addShapes(const CatalogRows& rows);
    void addValueSummary(const CatalogRows& rows);
    // Forgets the fields, shapes and payload kinds (before the exact ones are read).
    void clearFields();
    // Forgets one type's sample: its sampled events and streams, fields, shapes, payload kinds and values (before a
    // sample of that type alone replaces it).
    void clearSample(const QString& type);

    // The catalog as read so far, with drift flags; `scope` holds the scope and flags the caller sets.
    TypeCatalog result(TypeCatalog scope) const;

private:
    struct FieldAcc {
        FieldStats stats;
        std::map<qint64, qint64> frequencies; // value seen n times -> how many values
        qint64 observed = 0; // values counted for the estimate
    };
    struct TypeAcc {
        TypeSummary summary;
        bool exact = false;
        qint64 estimate = -1; // from the key-range sample, the statistics or the histogram
        qint64 margin = -1;
        qint64 sampleStreams = 0;
        qint64 partitionStreams = 0; // summed over the TypeStreams partitions read so far
        std::map<qint64, qint64> rate; // bucket -> events
        std::map<std::pair<QString, QString>, FieldAcc> fields; // (root, path JSON) -> stats
        std::map<QString, ShapeStats> shapes; // by shape JSON
        std::map<QString, PayloadKindStats> payloads;
    };
    TypeAcc& type(const QString& name);
    std::map<QString, TypeAcc> m_types;
    bool m_streamsExact = false;
    qint64 m_rateBucketSeconds = 0;
    bool m_rateEstimated = false;
    // From statistics: the estimate and margin of a type the sample holds but the most common values do not.
    qint64 m_statsRare = -1;
    qint64 m_statsRareMargin = -1;
};

// The flags of one type, from its fields and shapes; scopeFirst/scopeLast bound the scope (TypeStopped).
std::vector<DriftFlag> computeDrift(const TypeSummary& type, qint64 scopeFirst, qint64 scopeLast);

// The JSON type name for a SQLite json_type or PostgreSQL jsonb_typeof name.
QString jsonTypeName(const QString& engineType);

} // namespace es

Q_DECLARE_METATYPE(std::shared_ptr<const es::TypeCatalog>)
