#pragma once

#include "layouts/profile.h"
#include "mapping/databaseschema.h"
#include "store/categorysource.h"
#include "store/eventstore.h"
#include "store/rawstreamreader.h"

#include <QVariant>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace es {

class SqlBuilder;
struct SqlStatement;

// A SQLite file read through a layout profile. Opened read-only; safe while a writer appends (WAL or journal).
class SqliteStore : public EventStore, public CategorySource, public RawStreamReader {
public:
    // Throws StoreError: BadAddress (no file, not SQLite, bad mapping), UnknownLayout, MissingTable.
    static std::unique_ptr<SqliteStore> open(const QString& address, const OpenOptions& options = {});
    // The file's tables, columns, indexes and first rows, read under the same read-only guards (sqlitedescribe.cpp).
    static DatabaseSchema describe(const QString& address);
    // True for file paths, sqlite:... and file:... addresses.
    static bool acceptsAddress(const QString& address);
    // The file path an address names; empty when it names none.
    static QString pathFromAddress(const QString& address);

    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    QString address() const override { return m_address; }
    StoreInfo info(bool withCounts = true) override;
    CategoryList categories() override;
    StreamList streams(const StreamQuery& query) override;
    std::optional<StreamInfo> stream(const QString& name) override;
    EventPage events(const EventQuery& query) override;
    ScopeStats scopeStats(const EventFilter& filter) override;
    std::vector<qint64> keyAnchors(const EventFilter& filter, int stride) override;
    CheckpointSet checkpoints() override;
    ScopeProgress scopeProgress(const EventFilter& scope, const std::vector<qint64>& positions) override;
    Histogram histogram(const HistogramQuery& query) override; // in sqlitehistogram.cpp
    bool readRaw(const EventQuery& query, RawEventReceiver& receiver) override; // in sqliterawread.cpp
    void readRawStreams(const QStringList& streams, RawEventReceiver& receiver) override; // in sqliterawread.cpp
    CatalogRows catalogRows(const CatalogRequest& request) override; // in sqlitecatalog.cpp
    // Flows (issue 14), in sqliteflow.cpp.
    EventList linkedEvents(const LinkQuery& query) override;
    bool linkIndexed(LinkQuery::Kind kind) override;
    void flowRows(const FlowScanRequest& request, const std::function<void(const FlowRow&)>& each) override;
    std::function<void()> interruption() override;
    StoreIdentity identity() override;
    bool countsInPartsCheaply() const override { return true; }
    // Estimates (issue 18), in sqlitehistogram.cpp.
    Histogram estimateHistogram(const HistogramQuery& query) override;
    CountEstimate estimateCount(const EventFilter& filter) override;
    CategoryEstimate estimateCategories() override;
    std::optional<CategoryList> categoriesBetween(qint64 fromKey, qint64 toKey) override;
    TableReader* tables() override; // in sqlitetables.cpp

    const Profile& profile() const { return m_profile; }

private:
    std::vector<HistogramRow> histogramRows(const SqlStatement& statement); // in sqlitehistogram.cpp
    // The rows of a histogramScanStatement, counted per (bucket, group) as they are read.
    std::vector<HistogramRow> countScannedRows(const SqlStatement& statement);
    void bindAll(sqlite3_stmt* stmt, const SqlStatement& statement);
    class Query;
    struct Where;

    SqliteStore(QString address, QString path, sqlite3* db);
    // The file opened read-only with every guard, no layout yet.
    static std::unique_ptr<SqliteStore> openFile(const QString& address);
    // Every row of a statement as text (NULL as nullopt; blobs that are not UTF-8 as "\\x" hex).
    void eachRow(const QString& sql, const QVariantList& values,
        const std::function<void(const std::vector<std::optional<QString>>&)>& each);
    void detectLayout(const OpenOptions& options);
    void buildSql();
    sqlite3_stmt* prepare(const QString& sql);
    [[noreturn]] void throwSqlite(int rc, const QString& context) const;

    Where baseWhere(const EventFilter& filter, bool indexStream) const;
    QString keyExpr(const EventFilter& filter) const;
    std::optional<qint64> edgeKey(const EventFilter& filter, bool last);
    void fillStreamStats(StreamInfo& info);
    Event readEvent(Query& q) const;
    QString categoryOf(const QString& column) const;
    std::string scopeSignature(const EventFilter& filter) const;
    bool useCategoryIndex(const EventFilter& filter);

    struct ScopeCache {
        bool counted = false;
        ScopeStats stats;
        int anchorStride = 0;
        std::vector<qint64> anchors;
        qint64 anchoredCount = 0;
        qint64 anchoredLastKey = -1;
    };

    QString m_address; // as shown: StoreRegistry::redactSecrets
    QString m_path; // what is opened
    QString m_shownPath; // m_path as messages show it
    sqlite3* m_db = nullptr;
    Profile m_profile;
    QStringList m_candidates;
    QStringList m_notes;
    QStringList m_missingCheckpointTables;
    bool m_streamsFromTable = false;
    std::unordered_map<std::string, sqlite3_stmt*> m_statements;
    std::unordered_map<std::string, ScopeCache> m_scopes;
    QHash<QString, bool> m_smallCategories;
    qint64 m_totalEventsEstimate = -1;

    std::map<int, bool> m_linkIndexed; // flows: the planner's answers (sqliteflow.cpp)
    std::unique_ptr<TableReader> m_tables;
    std::unique_ptr<SqlBuilder> m_sql; // every statement's SQL (shared with the PostgreSQL engine)
    bool m_rangesWasteful = false; // readRawStreams: ranges of names skipped more rows than they kept
    QString m_selectEvent; // "SELECT <columns> FROM <table>"
    QString m_streamCategory; // category SQL on the events row
};

} // namespace es
