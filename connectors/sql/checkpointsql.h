#pragma once

// The checkpoint reads both engines share: one statement over every checkpoint source of a profile, and what a store
// without any shows. Rows are read by checkpointFromRow() (sql/storerows_p.h).

#include "sql/sqlbuilder.h"

namespace es {

// Columns: source index (into Profile::checkpoints), name, partition, the stored value as text (NULL: nothing
// processed yet), position, scope (the category or stream read; NULL for the global log). Rows are grouped by name,
// partition and scope: the value and position expressions aggregate or are constant within a group.
// Requires at least one checkpoint source.
SqlStatement checkpointsStatement(const SqlBuilder& sql);

// Why a store shows no checkpoints: its layout keeps none, or the store lacks its checkpoint tables.
QString noCheckpointsNote(const Profile& profile, QStringList missingTables);

} // namespace es
