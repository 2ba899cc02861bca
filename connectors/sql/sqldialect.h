#pragma once

// What the SQL of each engine spells or does differently, as data: SqlBuilder and the statements built on it read
// these instead of asking which engine they write for. Templates take their arguments as %1, %2...

namespace es {

enum class SqlDialect { Sqlite, Postgres };

struct SqlDialectSpec {
    SqlDialect id;
    bool numberedParams; // parameters are $1, $2... (else each is ?)
    const char* bigint; // suffix that makes an integer expression 64-bit
    const char* text; // suffix that makes an expression text (nothing where values compare as stored)
    const char* withoutIndex; // prefix that keeps the planner off an index on a column (SQLite's unary +)
    bool textIsBytewise; // text always compares by bytes, whatever the database (else SqlBuilder::Kinds::cCollation)
    const char* byteCollate; // suffix comparing text by bytes where the database's collation does not
    const char* categoryOf; // %1 a stream name as text, %2 the separator: the part before the first separator
    const char* contains; // %1 text contains %2
    const char* containsBytes; // %1 bytes contain the text %2
    const char* startsWith; // %1 starts with %2; with startsWithLength the first %2 is bound to the prefix's length
    bool startsWithLength;
    const char* isoTimeCompare; // %1 a time kept as ISO 8601 text, %2 an operator, %3 an ISO 8601 parameter
    const char* timestampText; // %1 a timestamp column as the ISO 8601 text events carry (microseconds, Z)
    // %1 is valid JSON, checked value by value; null where a payload's kind is its column's type (PostgreSQL reads it
    // with pg_typeof at open).
    const char* isJson;
    // Correlation and causation keys read by one extract over the metadata, packed in the metadata-is-json column
    // (SQLite parses the JSON again on every call); else one extract per key with metadataKey.
    bool packedMetadataKeys;
    const char* metadataKey; // %1 JSON metadata, %2 a key literal: the key's value as text
    bool jsonb; // JSON conditions on jsonb operators (else SQLite's JSON functions)
    // Time buckets (histogramsql.cpp): %1 epoch seconds, or an ISO 8601 text, as a time; the UTC epoch seconds of the
    // start of %1's month; the start of %1's bucket of %2 seconds.
    const char* timeFromEpoch;
    const char* timeFromIso;
    const char* monthStart;
    const char* bucketStart;
};

const SqlDialectSpec& sqlDialect(SqlDialect dialect);

} // namespace es
