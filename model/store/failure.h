#pragma once

#include <QMetaType>
#include <QString>

#include <exception>

namespace es {

// Why something did not work, as callers branch on it: by kind, never by the words of the message.
struct Failure {
    enum class Kind {
        Generic,
        BadAddress, // no engine accepts it, or it does not parse
        UnknownLayout, // no profile matches the tables found
        MissingTable, // a table or column the layout needs is absent
        Cancelled, // the user (or a newer request) stopped it
        Disconnected, // the connection was lost; the session reconnects
        Timeout, // the server or a budget took too long
        ReducerError, // a reducer threw, looped or ran out of its budget
        Io, // a file could not be read or written
        Unauthorized, // the server wants a password, or refused the one given
    };

    Kind kind = Kind::Generic;
    QString message;

    bool isCancelled() const { return kind == Kind::Cancelled; }
    bool isDisconnected() const { return kind == Kind::Disconnected; }

    // The failure an exception stands for: a StoreError's own kind, Generic for anything else.
    static Failure from(const std::exception& error);
};

QString kindName(Failure::Kind kind);

} // namespace es

Q_DECLARE_METATYPE(es::Failure)
