#pragma once

#include "core/eventfilter.h"

#include <QMetaType>
#include <QString>

#include <optional>

namespace es {

// A place in a store that can be shared, kept and gone back to: which store (its address without any secret), what
// the event table shows (scope and filter), which event is selected, and whether time travel is open on a stream
// (at a version, with a reducer). An `eventscope://` link names exactly one place (format: docs/LINKS.md).
struct Place {
    enum class Scope { All, Category, Stream };
    enum class View { Table, TimeTravel };

    QString store; // the address as StoreRegistry::redactAddress shows it: never a password or other secret
    QString layout; // the layout profile the store was opened with; empty: detected
    Scope scope = Scope::All;
    QString scopeName; // the category or stream
    // The filter's predicates (types, times, text, conditions); its stream and category stay empty: the scope says.
    EventFilter filter;
    // The selected event: a global position (scope All or Category) or a version (scope Stream, and time travel's
    // cursor); -1: none.
    qint64 position = -1;
    qint64 version = -1;
    View view = View::Table;
    QString reducer; // time travel: the reducer's name (ReducerCatalog: "merge", "merge-by-type", or a .js file name)

    // The scope and the filter as one EventFilter, as the event table reads it.
    EventFilter eventFilter() const;
    // The event's key in its view: the version in a stream, else the position; -1 when none is selected.
    qint64 key() const { return scope == Scope::Stream ? version : position; }
    bool sameView(const Place& other) const; // same store, scope and filter (the selection may differ)
    bool operator==(const Place& other) const;
    bool operator!=(const Place& other) const { return !(*this == other); }

    // A short description for menus and the sidebar ("stream order-17 at version 18, filtered").
    QString describe() const;
};

// eventscope:// links to places, version 1. Parsing never trusts the text: anything not in the format is refused
// with a message that says what and where.
class PlaceLink {
public:
    static constexpr int FormatVersion = 1;
    static constexpr int MaxLength = 32768;
    static const QString scheme; // "eventscope"

    // The link to a place. The store goes through StoreRegistry::redactAddress first, so whatever the address held,
    // no secret reaches the link; a place that cannot be written (no store, a stream name with control characters,
    // an address that still looks secret once redacted) gives an empty string and *error.
    static QString toLink(const Place& place, QString* error = nullptr);
    // The place a link names, or nullopt and *error. The store is kept as StoreRegistry::redactAddress shows it.
    static std::optional<Place> parse(const QString& link, QString* error = nullptr);
    // Whether text is meant as a link (starts with eventscope:), whether or not it parses.
    static bool looksLikeLink(const QString& text);

    // The store address a place is made from: without secrets, and a relative path to an existing file made absolute.
    static QString storeOf(const QString& address);
};

// The name a link carries for a ReducerCatalog key ("merge", "merge-by-type", the file name of a .js reducer), and
// back: the key of the first catalog entry with that name; empty when none (a link never names a path to run).
QString reducerNameOfKey(const QString& key);
QString reducerKeyOfName(const QString& name);

} // namespace es

Q_DECLARE_METATYPE(es::Place)
