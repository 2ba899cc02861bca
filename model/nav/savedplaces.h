#pragma once

#include "nav/place.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

class QSettings;

namespace es {

// A named view of a store: its scope and filter (a Place, kept as its link), the table's columns (the header's own
// saved state, opaque here) and sort order.
struct SavedView {
    QString name;
    Place place;
    QByteArray columns;
    bool descending = false; // events sort by position only: ascending or descending

    bool operator==(const SavedView& other) const = default;
};

// A saved view as one JSON object ({"name", "link", "columns" (base64), "descending"}), as settings and case files
// keep it. Reading takes the place's store from the link unless `store` is given: a case file's views name the store
// they were saved from, and are re-pointed to the case file that carries them. nullopt and *error for anything that
// is not such an object or whose link does not parse.
QString savedViewToJson(const SavedView& view);
std::optional<SavedView> savedViewFromJson(const QString& json, const QString& store = {}, QString* error = nullptr);

// Saved views per store and the recent places, kept in QSettings (group "places"). Stores are told apart by their
// address as a link keeps it, so nothing here ever holds a secret.
class SavedPlaces {
public:
    static constexpr int MaxRecent = 20;

    explicit SavedPlaces(QSettings& settings);

    // The views saved for a store, by name.
    QList<SavedView> views(const QString& store) const;
    // Saves (or replaces, by name) a view of view.place.store; false and *error when its place makes no link.
    bool saveView(const SavedView& view, QString* error = nullptr);
    bool removeView(const QString& store, const QString& name);

    // Most recent first; a place already in the list moves to the front.
    QList<Place> recent() const;
    void addRecent(const Place& place);
    void clearRecent();

private:
    QString viewsKey(const QString& store) const;
    void write(const QString& store, const QList<SavedView>& list);

    QSettings& m_settings;
};

} // namespace es
