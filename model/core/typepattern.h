#pragma once

#include <QString>

namespace es {

// One entry of a type filter (EventFilter::types): an exact type name, or a pattern with * at one or both ends:
// "Order*" (types starting with Order), "*Placed" (ending with Placed), "*Payment*" (containing Payment).
// Case-sensitive, as type names are. A * inside a name is part of the name.
struct TypePattern {
    enum class Kind { Exact, Prefix, Suffix, Contains };
    Kind kind = Kind::Exact;
    QString text; // the name, or the pattern without its *s (empty for "*": every type)

    static TypePattern of(const QString& entry)
    {
        const bool lead = entry.size() > 1 && entry.startsWith(u'*');
        const bool trail = entry.endsWith(u'*');
        if (entry == QLatin1String("*") || entry == QLatin1String("**"))
            return { Kind::Contains, {} };
        if (lead && trail)
            return { Kind::Contains, entry.mid(1, entry.size() - 2) };
        if (trail)
            return { Kind::Prefix, entry.left(entry.size() - 1) };
        if (lead)
            return { Kind::Suffix, entry.mid(1) };
        return { Kind::Exact, entry };
    }
};

} // namespace es
