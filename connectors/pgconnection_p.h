#pragma once

// Private to the PostgreSQL connector: the definition of PgStore::Connection, shared by the
// translation units that talk to libpqxx directly (pgstore.cpp, pghistogram.cpp).

#include "pgstore.h"

#include <pqxx/pqxx>

#include <string>

namespace es {

struct PgStore::Connection {
    explicit Connection(const std::string& address)
        : conn(address)
    { }
    pqxx::connection conn;
};

} // namespace es
