#pragma once

#include "activity/histogram.h"
#include "sql/sqlbuilder.h"

#include <optional>
#include <vector>

namespace es {

// Where an estimate looks: `windows` ranges of `width` global positions, one every `stride` from `first`, over the
// whole log's span. Each sampled event stands for stride / width events. Positions rise with time in every layout
// we read, so whole buckets of time hold whole windows and a bucket's error stays within about a stride at each of
// its edges.
//
// On a PostgreSQL heap table the windows can be pages instead (`pages`): `windows` pages, one every `stride` from page
// `first`, each read whole by its tuple ids (up to `tuplesPerPage` of them). A page costs one read where a window of
// positions costs three or four (the index's inner page, its leaf, the heap), which is what a cold cache pays for.
// An append-only table's pages are in the order of its positions, so the same reasoning about edges holds.
struct KeySample {
    qint64 first = 0;
    qint64 stride = 1;
    qint64 width = 1;
    qint64 windows = 0;
    bool pages = false;
    int tuplesPerPage = 0;

    double scale() const { return double(stride) / double(width); }
    qint64 rows() const { return width * windows; }

    // About `rows` positions in at most `maxWindows` windows of about `rowsPerWindow` over [first, last]; nothing when
    // the span is small enough to count (fewer than 65,536 positions).
    static std::optional<KeySample> plan(
        qint64 first, qint64 last, qint64 rows = 32768, qint64 maxWindows = 4096, qint64 rowsPerWindow = 8);
    // Up to `samples` whole pages (one in four at most) spread over a heap of `relationPages` pages holding about
    // `rowsPerPage` rows each; nothing when the heap is too small for 256 of them.
    static std::optional<KeySample> planPages(qint64 relationPages, double rowsPerPage, qint64 samples = 2048);
};

// The sample for a filter: none for one stream (its keys are versions and its index counts it fast) or a small log.
// `rows`, `maxWindows` and `rowsPerWindow` as KeySample::plan's.
std::optional<KeySample> planKeySample(EventStore& store, const EventFilter& filter, qint64 rows = 32768,
    qint64 maxWindows = 4096, qint64 rowsPerWindow = 8);

// Columns as histogramStatement's, every (bucket, group) of the sampled events the query selects, without a top-N cut.
SqlStatement histogramSampleStatement(
    const SqlBuilder& sql, const HistogramQuery& query, bool indexStream, const KeySample& sample);
// Columns as histogramStatement's, one row: 0, '', the number of sampled events the filter selects.
SqlStatement countSampleStatement(
    const SqlBuilder& sql, const EventFilter& filter, bool indexStream, const KeySample& sample);

// Columns as histogramStatement's, over the sample, or without one over every event at positions [fromKey, toKey] (-1:
// open): bucket 1 for events at the layout's first version (each starts a stream), 0 for the others; the category as
// the group. categoriesFromRows() turns them into categories.
SqlStatement categoryTallyStatement(
    const SqlBuilder& sql, const std::optional<KeySample>& sample, qint64 fromKey = -1, qint64 toKey = -1);
// Rows of categoryTallyStatement as categories (streams: the events at the first version), scaled up by the sample
// when there is one, in code-point order of their names.
CategoryList categoriesFromRows(const std::vector<HistogramRow>& rows, const std::optional<KeySample>& sample);

// The sampled rows scaled up, folded as Histogram::fromRows does, marked estimated.
Histogram scaleSampledRows(std::vector<HistogramRow> rows, const KeySample& sample, qint64 bucketSeconds, int topN);
qint64 scaleSampledCount(qint64 sampled, const KeySample& sample);

} // namespace es
