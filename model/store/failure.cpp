#include "store/failure.h"

#include "store/eventstore.h"

namespace es {

Failure Failure::from(const std::exception& error)
{
    if (const auto* storeError = dynamic_cast<const StoreError*>(&error))
        return storeError->failure();
    return { Kind::Generic, QString::fromUtf8(error.what()) };
}

QString kindName(Failure::Kind kind)
{
    switch (kind) {
    case Failure::Kind::Generic:
        return QStringLiteral("error");
    case Failure::Kind::BadAddress:
        return QStringLiteral("bad address");
    case Failure::Kind::UnknownLayout:
        return QStringLiteral("unknown layout");
    case Failure::Kind::MissingTable:
        return QStringLiteral("missing table");
    case Failure::Kind::Cancelled:
        return QStringLiteral("cancelled");
    case Failure::Kind::Disconnected:
        return QStringLiteral("disconnected");
    case Failure::Kind::Timeout:
        return QStringLiteral("timeout");
    case Failure::Kind::ReducerError:
        return QStringLiteral("reducer error");
    case Failure::Kind::Io:
        return QStringLiteral("i/o error");
    case Failure::Kind::Unauthorized:
        return QStringLiteral("unauthorized");
    }
    return QStringLiteral("error");
}

} // namespace es
