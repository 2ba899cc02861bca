#pragma once

#include "activity/histogram.h"
#include "sql/sqlbuilder.h"

namespace es {

// The histogram statement for either dialect. Columns: bucket start (UTC epoch seconds), group text, count.
// Rows without a time have a NULL bucket.
SqlStatement histogramStatement(const SqlBuilder& sql, const HistogramQuery& query, bool indexStream);
// The rows histogramStatement groups, one per event, for an engine that counts them as it reads them. Columns: bucket
// start (NULL without a time), group text (never NULL). Not for GroupBy::Stream, whose top N the statement cuts.
SqlStatement histogramScanStatement(const SqlBuilder& sql, const HistogramQuery& query, bool indexStream);

// The parts of it the sampled estimate (estimatesql.h) shares: the query's filter with its range applied (throws
// StoreError for a layout without times), the bucket start and the group text.
EventFilter histogramFilter(const SqlBuilder& sql, const HistogramQuery& query);
QString histogramBucketExpr(const SqlBuilder& sql, qint64 bucketSeconds);
QString histogramGroupExpr(const SqlBuilder& sql, HistogramQuery::GroupBy by);

} // namespace es
