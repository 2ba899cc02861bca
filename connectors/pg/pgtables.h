#pragma once

#include "store/tablereader.h"

#include <QHash>

#include <memory>

namespace es {

class PgSession;

// TableReader over a PgSession: the store's own (borrowed), or one opened for a read model in another database
// (read-only like every session: PgSession).
class PgTableReader : public TableReader {
public:
    // Throws StoreError: BadAddress, Timeout.
    static std::unique_ptr<PgTableReader> open(const QString& address);
    explicit PgTableReader(PgSession& session);
    ~PgTableReader() override;
    PgTableReader(const PgTableReader&) = delete;
    PgTableReader& operator=(const PgTableReader&) = delete;

    QStringList tables() override;
    std::vector<TableColumn> columns(const QString& table) override;
    std::vector<TableRow> rows(const TableQuery& query) override;
    std::function<void()> interruption() override;

private:
    struct Resolved {
        QString quoted; // "schema"."name"
        std::vector<TableColumn> columns;
    };
    Resolved resolve(const QString& table);

    QHash<QString, Resolved> m_resolved; // per table name, for the lookups of one reconciliation
    std::unique_ptr<PgSession> m_owned;
    PgSession& m_session;
};

} // namespace es
