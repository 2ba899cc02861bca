#include "reconcile/mappingsuggest.h"

#include "core/jsondiff.h"

#include <QJsonArray>
#include <QJsonObject>

namespace es {

namespace {

QString normalized(QString name)
{
    name.remove(u'_');
    name.remove(u'-');
    return name.toLower();
}

void collect(const QJsonValue& value, QJsonArray& path, int depth, int limit, QStringList& out,
    std::vector<std::pair<QString, int>>* leaves = nullptr)
{
    if (out.size() >= limit || depth > 6)
        return;
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            path.append(it.key());
            out.append(jsonPathText(path));
            if (leaves)
                leaves->push_back({ it.key(), depth });
            collect(it.value(), path, depth + 1, limit, out, leaves);
            path.removeLast();
        }
    } else if (value.isArray() && !value.toArray().isEmpty()) {
        path.append(0);
        out.append(jsonPathText(path));
        if (leaves)
            leaves->push_back({ QString(), depth });
        collect(value.toArray().at(0), path, depth + 1, limit, out, leaves);
        path.removeLast();
    }
}

} // namespace

QStringList statePaths(const QJsonValue& state, int limit)
{
    QStringList out;
    QJsonArray path;
    collect(state, path, 0, limit, out);
    return out;
}

std::vector<ColumnMapping> suggestMappings(
    const std::vector<TableColumn>& columns, const QString& keyColumn, const QJsonValue& state)
{
    QStringList paths;
    std::vector<std::pair<QString, int>> names;
    QJsonArray path;
    collect(state, path, 0, 500, paths, &names);
    std::vector<ColumnMapping> out;
    for (const TableColumn& c : columns) {
        if (c.name == keyColumn)
            continue;
        const QString wanted = normalized(c.name);
        int best = -1;
        for (int i = 0; i < int(names.size()); ++i) {
            if (!names[size_t(i)].first.isEmpty() && normalized(names[size_t(i)].first) == wanted
                && (best < 0 || names[size_t(i)].second < names[size_t(best)].second))
                best = i;
        }
        if (best >= 0)
            out.push_back({ c.name, paths.at(best) });
    }
    return out;
}

QString suggestKeyColumn(const std::vector<TableColumn>& columns)
{
    for (const char* name : { "stream_name", "stream_id", "streamid", "stream", "id" }) {
        for (const TableColumn& c : columns) {
            if (c.name.compare(QLatin1String(name), Qt::CaseInsensitive) == 0)
                return c.name;
        }
    }
    return columns.empty() ? QString() : columns.front().name;
}

} // namespace es

#include "fold/batchreader.h"
#include "store/eventstore.h"

namespace es {

QJsonValue sampleState(
    EventStore& store, const ReducerPtr& reducer, const QString& category, const QString& prefix, QString* stream)
{
    StreamQuery query;
    query.category = category;
    query.prefix = prefix;
    query.limit = 1;
    const StreamList first = store.streams(query);
    if (first.empty())
        return QJsonValue::Null;
    if (stream)
        *stream = first.front().name;
    ReducerError error;
    std::unique_ptr<Fold> fold = reducer->createFold(&error);
    if (!fold)
        throw StoreError(error.toString(), StoreError::Kind::ReducerError);
    BatchReader reader(store, 2000);
    reader.setMetadata(fold->readsMetadata());
    EventQuery events;
    events.filter.stream = first.front().name;
    reader.read(events, [&](const Event* e, qsizetype n) { return fold->apply(e, n).ok(); });
    return parseJsonValue(fold->stateJson());
}

} // namespace es
