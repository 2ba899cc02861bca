#pragma once

// Private to the PostgreSQL connector: the definition of PgStore::Connection, shared by the
// translation units that talk to libpqxx directly (pgstore.cpp, pghistogram.cpp, pgrawread.cpp).

#include "pgstore.h"

#include <QString>
#include <QVariant>

#include <pqxx/pqxx>

#include <string>

namespace es {

struct PgStore::Connection {
    explicit Connection(const std::string& address)
        : conn(address)
    { }
    pqxx::connection conn;
};

// A bound value as the text libpq sends for it.
inline std::string toParam(const QVariant& v)
{
    switch (v.typeId()) {
    case QMetaType::Bool:
        return v.toBool() ? "true" : "false";
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
        return std::to_string(v.toLongLong());
    case QMetaType::Double:
    case QMetaType::Float:
        return QString::number(v.toDouble(), 'g', 17).toStdString();
    case QMetaType::QByteArray:
        return v.toByteArray().toStdString();
    default:
        return v.toString().toStdString();
    }
}

} // namespace es
