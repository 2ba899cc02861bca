// The two dialects SqlBuilder writes: SQLite 3.40 and PostgreSQL 12+.
#include "sql/sqldialect.h"

namespace es {

namespace {

constexpr SqlDialectSpec Sqlite {
    .id = SqlDialect::Sqlite,
    .numberedParams = false,
    .bigint = "",
    .text = "",
    .withoutIndex = "+",
    .textIsBytewise = true,
    .byteCollate = "",
    .categoryOf = "(CASE WHEN instr(%1, %2) > 0 THEN substr(%1, 1, instr(%1, %2) - 1) ELSE %1 END)",
    .contains = "instr(%1, %2) > 0",
    .containsBytes = "instr(%1, %2) > 0",
    .startsWith = "substr(%1, 1, %2) = %2",
    .startsWithLength = true,
    .isoTimeCompare = "julianday(%1) %2 julianday(%3)",
    .timestampText = "%1",
    .isJson = "json_valid(%1)",
    .packedMetadataKeys = true,
    .metadataKey = nullptr,
    .jsonb = false,
    .timeFromEpoch = "%1, 'unixepoch'",
    .timeFromIso = "%1",
    .monthStart = "unixepoch(%1, 'start of month')",
    // Integer division floors only for times after 1970, which event stores hold.
    .bucketStart = "(unixepoch(%1) / %2) * %2",
};

constexpr SqlDialectSpec Postgres {
    .id = SqlDialect::Postgres,
    .numberedParams = true,
    .bigint = "::bigint",
    .text = "::text",
    .withoutIndex = "",
    .textIsBytewise = false,
    .byteCollate = " COLLATE \"C\"",
    .categoryOf = "split_part(%1, %2, 1)",
    .contains = "strpos(%1, %2) > 0",
    .containsBytes = "position(convert_to(%2, 'UTF8') in %1) > 0",
    .startsWith = "starts_with(%1, %2)",
    .startsWithLength = false,
    .isoTimeCompare = "%1::timestamptz %2 %3::timestamptz",
    .timestampText = "to_char(%1, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
    .isJson = nullptr,
    .packedMetadataKeys = false,
    .metadataKey = "(%1)::jsonb ->> %2",
    .jsonb = true,
    .timeFromEpoch = "to_timestamp(%1)",
    .timeFromIso = "%1::timestamptz",
    .monthStart = "extract(epoch from date_trunc('month', %1))::bigint",
    .bucketStart = "(floor(extract(epoch from %1) / %2)::bigint * %2)",
};

} // namespace

const SqlDialectSpec& sqlDialect(SqlDialect dialect)
{
    return dialect == SqlDialect::Postgres ? Postgres : Sqlite;
}

} // namespace es
