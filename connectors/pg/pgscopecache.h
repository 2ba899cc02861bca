#pragma once

// Counts and key anchors of the scopes a PgStore was asked about. They hold while the log's head stays where it was
// when they were read: stores append, so a new event moves the head and the next call reads again. Rows archived or
// deleted in place need a new store.

#include "store/eventstore.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace es {

struct SqlStatement;

class PgScopeCache {
public:
    struct Entry {
        qint64 head = -2; // the log's head when the entry was filled
        bool counted = false;
        ScopeStats stats;
        int anchorStride = 0;
        std::vector<qint64> anchors;
    };

    // What tells one scope from another: its key statement with the values bound to it.
    static std::string signature(const SqlStatement& keys);
    // The entry of a scope, emptied when the log's head has moved since it was filled.
    Entry& entry(const std::string& signature, qint64 head);

private:
    std::unordered_map<std::string, Entry> m_entries;
};

} // namespace es
