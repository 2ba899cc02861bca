#pragma once

// What both engines make of the rows of SqlBuilder's event, stream, stream-count and category statements and of
// checkpointsStatement() (sql/checkpointsql.h). Row is
// PgStore::Rows or SqliteStore::Query: text(col), time(col), and integer(col, nullValue) with -1 for NULL by default.

#include "core/checkpoint.h"
#include "layouts/profile.h"
#include "store/eventstore.h"

#include <optional>

namespace es {

// Columns 0-5 of SqlBuilder::selectEvent(): position, stream, version, type, time, id.
template <typename Row> void envelopeFromRow(const Row& r, Event& ev)
{
    ev.position = r.integer(0);
    ev.stream = r.text(1);
    ev.version = r.integer(2);
    ev.type = r.text(3);
    ev.time = r.time(4);
    ev.id = r.text(5);
}

// A row of SqlBuilder::streams(): name, version, category, then (when streams are counted from the events table)
// events and first version.
template <typename Row> StreamInfo streamFromRow(const Row& r, const Profile& profile, bool fromTable)
{
    StreamInfo info;
    info.name = r.text(0);
    info.version = r.integer(1);
    info.category = r.text(2);
    if (fromTable) {
        info.firstVersion = profile.events.firstVersion;
        if (profile.streams.versionIsCount)
            info.events = info.version - profile.events.firstVersion + 1;
    } else {
        info.events = r.integer(3, 0);
        info.firstVersion = r.integer(4);
        info.lastTime = r.time(5);
        info.lastPosition = r.integer(6);
    }
    return info;
}

// A row of SqlBuilder::streamCounts(): events, first version, last version.
template <typename Row> void streamCountsFromRow(const Row& r, StreamInfo& info)
{
    info.events = r.integer(0, 0);
    info.firstVersion = r.integer(1);
    info.version = r.integer(2);
}

// A row of SqlBuilder::categories(): name, streams, events, last time, last position.
template <typename Row> CategoryInfo categoryFromRow(const Row& r)
{
    CategoryInfo c;
    c.name = r.text(0);
    c.streams = r.integer(1, 0);
    c.events = r.integer(2);
    c.lastTime = r.time(3);
    c.lastPosition = r.integer(4);
    return c;
}

// A row of checkpointsStatement() over the profile's checkpoint sources.
template <typename Row> CheckpointRow checkpointFromRow(const Row& r, const std::vector<Profile::Checkpoint>& sources)
{
    const Profile::Checkpoint& c = sources.at(size_t(r.integer(0, 0)));
    CheckpointRow row;
    row.name = r.text(1);
    row.partition = r.text(2);
    row.hasValue = !r.isNull(3);
    row.raw = r.text(3);
    row.position = r.integer(4);
    if (row.hasValue && r.isNull(4))
        row.error = QStringLiteral("unparseable checkpoint value \"%1\"").arg(row.raw);
    if (!c.category.isEmpty())
        row.scope.category = r.text(5);
    else if (!c.stream.isEmpty())
        row.scope.stream = r.text(5);
    row.source = c.table;
    row.format = c.format;
    return row;
}

// The category of a stream where the profile cuts names at a separator; nullopt where an SQL expression decides
// (SqlBuilder::streamCategoryOf()).
// What info() says of a store before it reads anything: the layout found and what it lacks.
inline StoreInfo layoutInfo(const Profile& profile, const QString& address, const QString& engine,
    const QStringList& candidates, const QStringList& notes)
{
    StoreInfo info;
    info.address = address;
    info.engine = engine;
    info.layout = profile.name;
    info.layoutTitle = profile.title;
    info.candidateLayouts = candidates;
    info.notes = notes;
    info.links = profile.links();
    return info;
}

inline std::optional<QString> categoryFromName(const Profile& profile, const QString& name)
{
    if (!profile.category.expression.isEmpty())
        return std::nullopt;
    const qsizetype at = name.indexOf(profile.category.separator);
    return at >= 0 ? name.left(at) : name;
}

} // namespace es
