#pragma once

#include "sql/sqlbuilder.h"

namespace es {

// The events of several streams in one statement (RawStreamReader::readRawStreams): selectEvent(columns) columns
// WHERE the layout's stream expression is one of the names (bound as parameters), ordered by stream, then version.
SqlStatement streamsEventsSql(const SqlBuilder& sql, const QStringList& streams, const EventColumns& columns);

} // namespace es
