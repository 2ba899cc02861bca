#pragma once

#include "sql/sqlbuilder.h"

namespace es {

// The events of several streams in one statement (RawStreamReader::readRawStreams): selectEvent(columns) columns
// WHERE the layout's stream expression is one of the names (bound as parameters), ordered by stream, then version.
SqlStatement streamsEventsSql(const SqlBuilder& sql, const QStringList& streams, const EventColumns& columns);
// The same for every stream whose name lies between `first` and `last` (both bound) in the engine's order: one walk of
// the stream index instead of a seek per name; the caller keeps the rows of the streams it wants.
SqlStatement streamRangeEventsSql(
    const SqlBuilder& sql, const QString& first, const QString& last, const EventColumns& columns);

} // namespace es
