#pragma once

#include "activity/histogram.h"
#include "sql/sqlbuilder.h"

namespace es {

// The histogram statement for either dialect. Columns: bucket start (UTC epoch seconds), group text, count.
// Rows without a time have a NULL bucket.
SqlStatement histogramStatement(const SqlBuilder& sql, const HistogramQuery& query, bool indexStream);

} // namespace es
