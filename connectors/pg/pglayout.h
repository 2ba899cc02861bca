#pragma once

// Recognising the layout of a PostgreSQL database and building the statements that read it.

#include "layouts/profile.h"
#include "store/eventstore.h"

#include <memory>

namespace es {

class PgSession;
class SqlBuilder;

// What a PgStore learns about its database when it opens it.
struct PgLayout {
    Profile profile; // resolved for the tables found
    QString schema; // where they are
    QStringList candidates; // every layout that fits, chosen first
    QStringList notes; // shown with the store's info
    QStringList missingCheckpointTables; // optional checkpoint tables the store lacks
    std::unique_ptr<SqlBuilder> sql;
};

// Lists the tables of every schema the session's user may read, picks the layout (LayoutDetector, or the one the
// options force), points the session at its schema, reads the types of its time and payload expressions and compiles
// every expression once, so that a layout which does not fit fails here naming what is missing. Runs inside
// PgSession::run(); throws StoreError as LayoutDetector::detect() does.
PgLayout detectPgLayout(PgSession& session, const OpenOptions& options);

} // namespace es
