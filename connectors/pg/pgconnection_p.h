#pragma once

// Private to the PostgreSQL connector: the libpqxx connection PgSession keeps, with its libpq handle, and how bound
// values travel; for the translation units that talk to libpqxx directly.

#include "pg/pgconnect.h"

#include <QString>
#include <QVariant>

#include <libpq-fe.h>
#include <pqxx/pqxx>

#include <cstring>
#include <new>
#include <string>

namespace es {

// libpqxx's direct connection policy, keeping the libpq handle it opens, which pgConnect() opens so that a refusal
// is a PgConnectError with the server's SQLSTATE.
class HandleKeepingConnect : public pqxx::connect_direct {
public:
    explicit HandleKeepingConnect(const std::string& options)
        : pqxx::connect_direct(options)
    { }
    handle do_startconnect(handle orig) override
    {
        m_handle = orig ? orig : pgConnect(options());
        return m_handle;
    }
    handle do_disconnect(handle orig) noexcept override
    {
        m_handle = nullptr;
        return pqxx::connect_direct::do_disconnect(orig);
    }
    handle rawHandle() const { return m_handle; }

private:
    handle m_handle = nullptr;
};

// pqxx::connection with access to its libpq handle: libpqxx 6 reads COPY data only into a std::string per line on
// the calling thread, while pgrawread.cpp reads it with PQgetCopyData on a thread of its own (the server keeps
// sending while rows are formatted and written). Built as libpqxx builds its own connection types.
class PgConnection : public pqxx::connection_base {
public:
    explicit PgConnection(const std::string& options)
        : pqxx::connection_base(m_policy)
        , m_policy(options)
    {
        init();
    }
    ~PgConnection() { close(); }
    // Valid while the connection is open; reactivation is inhibited (PgSession::connect()), so it does not change.
    pqxx::internal::pq::PGconn* rawHandle() const { return m_policy.rawHandle(); }

private:
    HandleKeepingConnect m_policy; // connection_base keeps a reference to it, as basic_connection_base does
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

// A bytea value as the server writes it in text (hex or escape form), decoded by libpq into `out`. `text` ends in a
// NUL.
inline void unescapeBytea(const char* text, QByteArray& out)
{
    size_t size = 0;
    unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text), &size);
    if (!bytes)
        throw std::bad_alloc();
    out.resize(qsizetype(size));
    std::memcpy(out.data(), bytes, size);
    PQfreemem(bytes);
}

} // namespace es
