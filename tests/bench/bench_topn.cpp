// Activity stacked by stream on a store with many streams: the time of the histogram and the rows the database sent.
//
//   bench_topn [STORE] [ROUNDS=3] [TOPN=8]   (default /work/bench/browse2m.sqlite; a PostgreSQL address works too;
//                                              read-only)
//
// The chart's own query: the store's whole time range in at most 120 buckets, grouped by stream, the top N kept.
// For SQLite it also prints the statement with its values inlined, to time it in `sqlite3 -readonly`.
#include "activity/histogram.h"
#include "sql/histogramsql.h"
#include "sqlite/sqlitestore.h"
#include "store/storeregistry.h"

#include "connectors.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>

using namespace es;

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    registerConnectors();
    const QStringList args = app.arguments();
    const QString address = args.size() > 1 ? args.at(1) : QStringLiteral("/work/bench/browse2m.sqlite");
    const int rounds = args.size() > 2 ? args.at(2).toInt() : 3;
    const int topN = args.size() > 3 ? args.at(3).toInt() : 8;
    try {
        auto store = StoreRegistry::open(address);
        const StoreInfo info = store->info();
        HistogramQuery q;
        q.groupBy = HistogramQuery::GroupBy::Stream;
        q.topN = topN;
        q.bucketSeconds
            = histogram::chooseBucketSeconds(info.lastTime.toSecsSinceEpoch() - info.firstTime.toSecsSinceEpoch());
        if (!address.contains(QLatin1Char('='))) {
            const SqlBuilder builder(SqliteStore::open(address)->profile(), SqlDialect::Sqlite);
            const SqlStatement st = histogramStatement(builder, q, false);
            QString inlined = st.sql;
            for (const QVariant& v : st.values)
                inlined.replace(inlined.indexOf(SqlBuilder::param()), 1, QString::number(v.toLongLong()));
            std::printf("%s\n", qPrintable(SqlBuilder::render(inlined, SqlDialect::Sqlite)));
        }
        qint64 best = -1;
        Histogram h;
        for (int r = 0; r < rounds; ++r) {
            QElapsedTimer t;
            t.start();
            h = store->histogram(q);
            const qint64 ms = t.elapsed();
            std::printf("round %d: %lld ms\n", r + 1, ms);
            best = best < 0 ? ms : std::min(best, ms);
        }
        std::printf("%s: bucket %s, %d buckets, %d groups (other: %s), %lld events; best %lld ms; rows fetched %lld\n",
            qPrintable(address), qPrintable(histogram::bucketName(q.bucketSeconds)), int(h.buckets.size()),
            int(h.groups.size()), h.hasOther ? "yes" : "no", h.total, best, h.rowsFetched);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
