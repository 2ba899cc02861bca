#pragma once

#include "layouts/profile.h"
#include "live/tailer.h"
#include "pg/pgscopecache.h"
#include "pg/pgsession.h"
#include "sql/estimatesql.h"
#include "sql/flowsql.h"
#include "store/categorysource.h"
#include "store/eventstore.h"
#include "store/rawstreamreader.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace es {

class SqlBuilder;
struct SqlStatement;

// A PostgreSQL database read through a layout profile over libpqxx. The address goes to libpq untouched, so PG*
// variables, ~/.pgpass, service files and sslmode work as with psql. Its session (PgSession) is read-only, named
// "eventscope" and bounded by a statement timeout; a lost connection throws Disconnected once and reconnects on the
// next call. Reads are in pgstore.cpp (pages, streams, counts, the tail's reads), pgrawread.cpp (exports),
// pghistogram.cpp and pgcheckpoints.cpp (lag); the layout is recognised in pglayout.cpp.
class PgStore : public EventStore, public CategorySource, public RawStreamReader {
public:
    using Settings = PgSession::Settings;

    // Throws StoreError: BadAddress (unreachable, bad address, bad mapping), Timeout (the server accepted the
    // connection but did not answer within connect_timeout), UnknownLayout, MissingTable.
    static std::unique_ptr<PgStore> open(const QString& address, const OpenOptions& options = {});
    static std::unique_ptr<PgStore> open(const QString& address, const OpenOptions& options, const Settings& settings);
    // True for postgresql:// and postgres:// URIs and libpq keyword strings ("host=... dbname=..."); see PgAddress.
    static bool acceptsAddress(const QString& address);

    ~PgStore() override;
    PgStore(const PgStore&) = delete;
    PgStore& operator=(const PgStore&) = delete;

    QString address() const override { return m_session.shownAddress(); }
    StoreInfo info(bool withCounts = true) override;
    CategoryList categories() override;
    StreamList streams(const StreamQuery& query) override;
    std::optional<StreamInfo> stream(const QString& name) override;
    EventPage events(const EventQuery& query) override;
    ScopeStats scopeStats(const EventFilter& filter) override;
    std::vector<qint64> keyAnchors(const EventFilter& filter, int stride) override;
    Histogram histogram(const HistogramQuery& query) override; // in pghistogram.cpp
    // Estimates (issue 18), in pghistogram.cpp.
    Histogram estimateHistogram(const HistogramQuery& query) override;
    CountEstimate estimateCount(const EventFilter& filter) override;
    CategoryEstimate estimateCategories() override;
    std::optional<CategoryList> categoriesBetween(qint64 fromKey, qint64 toKey) override;
    bool readRaw(const EventQuery& query, RawEventReceiver& receiver) override; // in pgrawread.cpp
    void readRawStreams(const QStringList& streams, RawEventReceiver& receiver) override; // in pgrawread.cpp
    CatalogRows catalogRows(const CatalogRequest& request) override; // in pgcatalog.cpp
    // Flows (issue 14), in pgflow.cpp.
    EventList linkedEvents(const LinkQuery& query) override;
    bool linkIndexed(LinkQuery::Kind kind) override;
    void flowRows(const FlowScanRequest& request, const std::function<void(const FlowRow&)>& each) override;
    TableReader* tables() override; // in pgtables.cpp
    std::function<void()> interruption() override;
    StoreIdentity identity() override;
    // Defined in pgcheckpoints.cpp.
    CheckpointSet checkpoints() override;
    ScopeProgress scopeProgress(const EventFilter& scope, const std::vector<qint64>& positions) override;
    std::vector<ScopeProgress> scopesProgress(const std::vector<ScopeRequest>& requests) override;
    // For the live tail (pgtail.cpp): the highest visible position of the log (-1 when empty), and the
    // transactions of this database open now in other sessions (virtual xids and prepared transactions).
    qint64 visibleHead();
    QStringList openTransactions();
    // For a live tail in the layout's transaction order (profile tail.order "transaction", pgtail.cpp): events of the
    // scope whose writing transaction ended before the oldest one still open, after the cursor (afterTx: an xid8 as
    // text; afterPosition) in (transaction, position) order, at positions from fromPosition on, at most limit. The
    // cursor moves to the last event returned.
    EventList eventsByTransaction(
        const EventFilter& scope, qint64 fromPosition, int limit, QString& afterTx, qint64& afterPosition);
    // In one snapshot: the highest visible position of the log, and the lowest visible one written by a transaction
    // not older than the oldest still open (-1 when none).
    std::pair<qint64, qint64> transactionHeads();
    // Defined in pgtailreads.cpp, for the live tail. The highest visible key of the scope's key space (the log's
    // position, or a stream's version).
    qint64 tailHead(const EventFilter& scope);
    // The last `n` keys of the scope visible now, ascending, in one snapshot.
    std::vector<qint64> recentKeys(const EventFilter& scope, int n);
    struct Writer {
        QString transaction; // pg_locks.virtualtransaction
        TailHolder holder;
    };
    // Transactions of other sessions that can still commit events: those holding a write lock on a table of
    // events.table or on a sequence its positions come from (nextval keeps one to the end of the transaction).
    // Readers, autovacuum, pg_dump and idle transactions elsewhere are not among them. Oldest first.
    std::vector<Writer> tailWriters();
    bool inRecovery();
    // In one snapshot: the scope's highest visible key and pg_snapshot_xmax (as text), for a standby, where pg_locks
    // does not show the primary's writers.
    std::pair<qint64, QString> snapshotHead(const EventFilter& scope);
    // Whether every transaction below `xmax` (pg_snapshot_xmax text) has ended.
    bool snapshotPassed(const QString& xmax);

    const Profile& profile() const { return m_profile; }
    QString schema() const { return m_schema; }
    // The statements this store runs (for benchmarks comparing them with psql).
    const SqlBuilder& sql() const { return *m_sql; }
    // The flow statements as this store builds them (its optional link columns probed once; pgflow.cpp).
    FlowSql flowSql();
    // The sample the estimates read for a filter: pages of the heap where the events table is one (and has been
    // analysed), else windows of positions; none where they count (pghistogram.cpp). Public for tests and benchmarks.
    std::optional<KeySample> planSample(const EventFilter& filter);
    // The backend process id of the current connection (for tests and diagnostics); 0 when disconnected.
    int backendPid() const { return m_session.backendPid(); }

private:
    std::vector<HistogramRow> histogramRows(const SqlStatement& statement, bool serverJit); // in pghistogram.cpp
    class Rows;

    // readRaw for a query, or readRawStreams for the named streams (query unused), in pgrawread.cpp.
    bool readRawRows(const EventQuery& query, const QStringList* streams, RawEventReceiver& receiver);
    PgStore(PgAddress address, const OpenOptions& options, const Settings& settings);
    // Runs a statement on its own (PgSession::query); each row through `each`.
    void query(const SqlStatement& st, const std::function<void(const Rows&)>& each, bool prepared = false);
    std::optional<qint64> single(const SqlStatement& st, bool prepared = false);
    // Runs a statement through PgSession::run(); each row as its first `columns` fields in text (nullopt for NULL).
    void readText(const SqlStatement& st, int columns,
        const std::function<void(const std::vector<std::optional<QString>>&)>& each);
    Event readEvent(const Rows& row) const;
    // The definition of an index led by category(<stream>) (Message DB's messages_category), if the table has one.
    std::optional<QString> categoryIndex();
    void fillStreamStats(StreamInfo& info);
    PgScopeCache::Entry& scopeCache(const EventFilter& filter);

    PgSession m_session;
    std::unique_ptr<TableReader> m_tables;
    std::unique_ptr<SqlBuilder> m_sql;
    Profile m_profile;
    QString m_schema;
    QStringList m_candidates;
    QStringList m_notes;
    QStringList m_missingCheckpointTables;
    PgScopeCache m_scopes;
    // Flows: what the store has of the profile's link facts (probed once, pgflow.cpp), and the planner's answers.
    std::optional<FlowSqlOptions> m_flowOptions;
    std::map<int, bool> m_linkIndexed;
    std::optional<QString> m_categoryIndex;
    bool m_categoryIndexProbed = false;
    std::optional<std::pair<qint64, double>> m_heapPages; // pages, rows per page; probed once
    bool m_heapPagesProbed = false;
};

} // namespace es
