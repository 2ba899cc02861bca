#pragma once

#include "mapping/databaseschema.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <vector>

namespace es {

// One role of a mapping (where an event's position, stream, version... live) as the wizard proposes it.
struct MappingRole {
    QString role; // one of MappingProposal::roleNames()
    QString expression; // SQL on the events table's row; empty: none found
    QStringList columns; // the columns the expression reads
    QString reason; // why, for people
};

struct TableCandidate {
    QString table; // qualified name
    int score = 0;
    QString reason;
};

// The wizard's proposal for one database: the events table, each role with its reason, the metadata keys that link
// events, and what the proposal cannot guarantee. Editable (setRole) and written out as a mapping file, the format
// of connectors/PROFILES.md.
struct MappingProposal {
    QString engine;
    QString schema; // PostgreSQL schema of the table
    QString table; // unqualified
    QString tableReason;
    std::vector<TableCandidate> candidates; // every table that could hold events, best first
    std::vector<MappingRole> roles; // in roleNames() order
    QString timeFilter; // empty: the default for the time's type; "epoch_s", "epoch_ms" for numbers
    QStringList correlationKeys;
    QStringList causationKeys;
    QStringList idKeys;
    QStringList warnings;

    // position, stream, version, type, data, metadata, time, id, category.
    static const QStringList& roleNames();
    // The roles a mapping file must have.
    static const QStringList& requiredRoles();
    const MappingRole& role(const QString& name) const;
    QString expression(const QString& name) const { return role(name).expression; }
    // Replaces a role's expression (an edit in the wizard), the reason saying so.
    void setRole(const QString& name, const QString& expression);
    // Every required role has an expression.
    bool complete() const;
    QStringList missingRoles() const;
    // The mapping file: `name` names the layout. Warnings become its notes, reasons its comment.
    QJsonObject toMappingJson(const QString& name = QStringLiteral("my-events")) const;
};

// Proposes a mapping from a database's tables (SchemaReader::describe), without any layout profile: the events
// table and each role from column names, types, keys, indexes and the first rows.
class MappingProposer {
public:
    // The tables that look like an events table, best first (tables of no more than one role are left out).
    static std::vector<TableCandidate> rankTables(const DatabaseSchema& schema);
    // The proposal for `table` (qualified as TableCandidate::table), or for the best ranked table when empty. Without
    // any candidate the proposal has no table and says why in its warnings.
    static MappingProposal propose(const DatabaseSchema& schema, const QString& table = {});
};

} // namespace es
