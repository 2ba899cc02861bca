#pragma once

#include "layouts/profile.h"
#include "store/eventstore.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

namespace es {

// Recognises a store's layout from the tables it holds: the profile matching shared by every SQL engine, and the
// messages for a forced profile that does not fit, several layouts found, or none. Engines only list their tables.
class LayoutDetector {
public:
    // Lower-cased column names of a table (looked up only for tables whose name a profile asks for).
    using ColumnLookup = std::function<QStringList(const QString& schema, const QString& table)>;

    struct Match {
        Profile profile; // resolved: {alias} replaced by the tables found
        QString schema;
        int score = 0;
        QString problem; // why it does not fit; empty when it does
        QStringList missingCheckpointTables; // optional checkpoint tables the store lacks
    };
    struct Result {
        Match chosen;
        std::vector<Match> others; // other layouts that fit, best first (none when the profile was forced)
        QStringList candidates; // names of every layout that fits, chosen first
    };

    // engineTitle names the engine in messages ("SQLite"); where names the store ("/path/file.sqlite").
    LayoutDetector(QString engine, QString engineTitle, QString where, ColumnLookup columns);

    // The tables (and views) of one schema, in name order. SQLite has one schema, named "" (then the profiles'
    // schemas and OpenOptions::schema do not apply).
    void addSchema(const QString& schema, const QStringList& tables);
    // Schemas to try first, after a profile's own (PostgreSQL's search_path).
    void setSchemaOrder(const QStringList& schemas) { m_schemaOrder = schemas; }

    // The layout of OpenOptions::profile or ::mappingFile, else the best fitting built-in profile. Throws StoreError:
    // UnknownLayout (no profile fits, unknown profile name), MissingTable (the forced one does not fit), BadAddress
    // (unreadable mapping).
    Result detect(const OpenOptions& options) const;

private:
    Match matchIn(const Profile& p, const QString& schema) const;
    Match match(const Profile& p, const QString& forcedSchema) const;
    Match matchOne(const Profile& p, const QString& forcedSchema) const;
    QString presentText() const;

    QString m_engine;
    QString m_engineTitle;
    QString m_where;
    ColumnLookup m_columns;
    QStringList m_schemas; // in the order added
    QHash<QString, QStringList> m_tables;
    QStringList m_schemaOrder;
};

} // namespace es
