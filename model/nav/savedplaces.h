#pragma once

#include "nav/place.h"

#include <QByteArray>
#include <QList>
#include <QString>

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
