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

QJsonObject viewObject(const SavedView& v)
{
    return { { QStringLiteral("name"), v.name }, { QStringLiteral("link"), PlaceLink::toLink(v.place) },
        { QStringLiteral("columns"), QString::fromLatin1(v.columns.toBase64()) },
        { QStringLiteral("descending"), v.descending } };
}

std::optional<SavedView> viewOf(const QJsonObject& o, QString* error)
{
    auto fail = [error](const QString& why) -> std::optional<SavedView> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    const QString name = o.value(QStringLiteral("name")).toString();
    if (name.trimmed().isEmpty())
        return fail(QStringLiteral("a saved view without a name"));
    QString why;
    const std::optional<Place> place = PlaceLink::parse(o.value(QStringLiteral("link")).toString(), &why);
    if (!place)
        return fail(QStringLiteral("saved view \"%1\": %2").arg(name, why));
    SavedView view;
    view.name = name;
    view.place = *place;
    view.columns = QByteArray::fromBase64(o.value(QStringLiteral("columns")).toString().toLatin1());
    view.descending = o.value(QStringLiteral("descending")).toBool();
    return view;
}

} // namespace

QString savedViewToJson(const SavedView& view)
{
    return QString::fromUtf8(QJsonDocument(viewObject(view)).toJson(QJsonDocument::Compact));
}

std::optional<SavedView> savedViewFromJson(const QString& json, const QString& store, QString* error)
{
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &parse);
    if (!doc.isObject()) {
        if (error)
            *error = parse.error != QJsonParseError::NoError ? parse.errorString()
                                                             : QStringLiteral("a saved view is not a JSON object");
        return std::nullopt;
    }
    std::optional<SavedView> view = viewOf(doc.object(), error);
    if (view && !store.isEmpty())
        view->place.store = PlaceLink::storeOf(store);
    return view;
}

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
        const std::optional<SavedView> view = viewOf(value.toObject(), nullptr);
        if (view && view->place.store == shown) // else written by hand, or by a newer version: skipped, not guessed at
            out.append(*view);
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
        array.append(viewObject(v));
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
