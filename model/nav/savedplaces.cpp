#include "nav/savedplaces.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>

#include <algorithm>

namespace es {

namespace {

const QString recentKey = QStringLiteral("places/recent");

} // namespace

SavedPlaces::SavedPlaces(QSettings& settings)
    : m_settings(settings)
{ }

QString SavedPlaces::viewsKey(const QString& store) const
{
    // A key QSettings can hold whatever the address (slashes, spaces): the hash of the address a link keeps.
    const QByteArray hash
        = QCryptographicHash::hash(PlaceLink::storeOf(store).toUtf8(), QCryptographicHash::Sha1).toHex().left(20);
    return QStringLiteral("places/views-") + QString::fromLatin1(hash);
}

QList<SavedView> SavedPlaces::views(const QString& store) const
{
    QList<SavedView> out;
    const QJsonArray array = QJsonDocument::fromJson(m_settings.value(viewsKey(store)).toByteArray()).array();
    const QString shown = PlaceLink::storeOf(store);
    for (const QJsonValue& value : array) {
        const QJsonObject o = value.toObject();
        const std::optional<Place> place = PlaceLink::parse(o.value(QStringLiteral("link")).toString());
        if (!place || place->store != shown)
            continue; // written by hand, or by a newer version: skipped, not guessed at
        SavedView view;
        view.name = o.value(QStringLiteral("name")).toString();
        view.place = *place;
        view.columns = QByteArray::fromBase64(o.value(QStringLiteral("columns")).toString().toLatin1());
        view.descending = o.value(QStringLiteral("descending")).toBool();
        if (!view.name.isEmpty())
            out.append(view);
    }
    std::sort(out.begin(), out.end(),
        [](const SavedView& a, const SavedView& b) { return QString::localeAwareCompare(a.name, b.name) < 0; });
    return out;
}

bool SavedPlaces::saveView(const SavedView& view, QString* error)
{
    if (view.name.trimmed().isEmpty()) {
        if (error)
            *error = QStringLiteral("A saved view needs a name.");
        return false;
    }
    const QString link = PlaceLink::toLink(view.place, error);
    if (link.isEmpty())
        return false;
    QList<SavedView> list = views(view.place.store);
    list.erase(
        std::remove_if(list.begin(), list.end(), [&](const SavedView& v) { return v.name == view.name; }), list.end());
    SavedView kept = view;
    kept.place = *PlaceLink::parse(link);
    list.append(kept);
    write(view.place.store, list);
    return true;
}

void SavedPlaces::write(const QString& store, const QList<SavedView>& list)
{
    QJsonArray array;
    for (const SavedView& v : list) {
        array.append(
            QJsonObject { { QStringLiteral("name"), v.name }, { QStringLiteral("link"), PlaceLink::toLink(v.place) },
                { QStringLiteral("columns"), QString::fromLatin1(v.columns.toBase64()) },
                { QStringLiteral("descending"), v.descending } });
    }
    if (array.isEmpty())
        m_settings.remove(viewsKey(store));
    else
        m_settings.setValue(viewsKey(store), QJsonDocument(array).toJson(QJsonDocument::Compact));
}

bool SavedPlaces::removeView(const QString& store, const QString& name)
{
    QList<SavedView> list = views(store);
    const auto end = std::remove_if(list.begin(), list.end(), [&](const SavedView& v) { return v.name == name; });
    if (end == list.end())
        return false;
    list.erase(end, list.end());
    write(store, list);
    return true;
}

QList<Place> SavedPlaces::recent() const
{
    QList<Place> out;
    for (const QString& link : m_settings.value(recentKey).toStringList()) {
        if (const std::optional<Place> place = PlaceLink::parse(link))
            out.append(*place);
    }
    return out;
}

void SavedPlaces::addRecent(const Place& place)
{
    const QString link = PlaceLink::toLink(place);
    if (link.isEmpty())
        return;
    QStringList links = m_settings.value(recentKey).toStringList();
    links.removeAll(link);
    links.prepend(link);
    while (links.size() > MaxRecent)
        links.removeLast();
    m_settings.setValue(recentKey, links);
}

void SavedPlaces::clearRecent()
{
    m_settings.remove(recentKey);
}

} // namespace es
