#pragma once

#include "reconcile/reconciler.h"
#include "store/tablereader.h"

#include <QJsonValue>
#include <QStringList>

#include <vector>

namespace es {

// Every path of a state as jsonPathText() writes it, objects and leaves, depth first: at most `limit`, six levels
// deep, the first element of each array.
QStringList statePaths(const QJsonValue& state, int limit = 500);
// A mapping for each column (but the key) whose name matches a state path's last step, compared without case,
// '_' and '-' (opened_at = openedAt = OpenedAt); the shallowest path wins. Columns without a match are left out.
std::vector<ColumnMapping> suggestMappings(
    const std::vector<TableColumn>& columns, const QString& keyColumn, const QJsonValue& state);
// The column that most likely holds the stream name: one named like id, stream, stream_name, stream_id, or the first.
QString suggestKeyColumn(const std::vector<TableColumn>& columns);

} // namespace es

namespace es {

class EventStore;

// The state of the first stream of a scope (category or prefix; neither: the first stream) under the reducer, to
// suggest mappings from; *stream names it. Null when the scope has no stream. Throws StoreError.
QJsonValue sampleState(EventStore& store, const ReducerPtr& reducer, const QString& category, const QString& prefix,
    QString* stream = nullptr);

} // namespace es
