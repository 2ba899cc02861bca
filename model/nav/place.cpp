#include "nav/place.h"

#include "core/event.h"
#include "fold/reducercatalog.h"
#include "store/storeregistry.h"

#include <QFileInfo>
#include <QRegularExpression>
#include <QStringDecoder>
#include <QUrl>

#include <algorithm>
#include <cctype>

namespace es {

namespace {

const QString host = QStringLiteral("//open");

struct LinkError {
    QString message;
};

QString conditionsText(const std::vector<JsonCondition>& conditions)
{
    QStringList parts;
    for (const JsonCondition& c : conditions)
        parts.append(c.toString());
    return parts.join(QLatin1String(" and "));
}

QString timeText(const QDateTime& time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

bool hasControl(const QString& text)
{
    return std::any_of(text.begin(), text.end(), [](QChar c) { return c.unicode() < 0x20 || c.unicode() == 0x7f; });
}

QString scopeKey(Place::Scope scope)
{
    return scope == Place::Scope::Stream ? QStringLiteral("stream") : QStringLiteral("category");
}

// A parameter's value: every '%' starts a two-digit escape, the bytes are UTF-8, no control characters.
QString decodeValue(const QString& key, const QByteArray& raw)
{
    for (qsizetype i = 0; i < raw.size(); ++i) {
        if (raw.at(i) != '%')
            continue;
        if (i + 2 >= raw.size() || !std::isxdigit(uchar(raw.at(i + 1))) || !std::isxdigit(uchar(raw.at(i + 2))))
            throw LinkError {
                QStringLiteral("the value of \"%1\" has a '%' that does not start a %XX escape").arg(key)
            };
    }
    const QByteArray bytes = QByteArray::fromPercentEncoding(raw);
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString value = decoder.decode(bytes);
    if (decoder.hasError())
        throw LinkError { QStringLiteral("the value of \"%1\" is not UTF-8 text").arg(key) };
    if (hasControl(value))
        throw LinkError { QStringLiteral("the value of \"%1\" holds a control character").arg(key) };
    return value;
}

qint64 number(const QString& key, const QString& text)
{
    static const QRegularExpression digits(QStringLiteral("^[0-9]{1,18}$"));
    if (!digits.match(text).hasMatch())
        throw LinkError { QStringLiteral("\"%1\" must be a whole number of 0 or more, not \"%2\"").arg(key, text) };
    return text.toLongLong();
}

QDateTime time(const QString& key, const QString& text)
{
    const QDateTime t = parseStoreTime(text.toUtf8());
    if (!t.isValid())
        throw LinkError { QStringLiteral("\"%1\" must be a time (ISO 8601, UTC), not \"%2\"").arg(key, text) };
    return t.toUTC();
}

// The store as a link keeps it, or a LinkError saying why it cannot be in one.
QString checkedStore(const QString& given)
{
    if (given.trimmed().isEmpty())
        throw LinkError { QStringLiteral("it names no store") };
    if (StoreRegistry::redactSecrets(given) != given)
        throw LinkError { QStringLiteral("its store address holds a password or another secret, and links never "
                                         "carry one") };
    const QString engine = StoreRegistry::engineFor(given);
    if (engine.isEmpty())
        throw LinkError { QStringLiteral("no engine reads its store address") };
    const QString shown = StoreRegistry::redactAddress(given);
    if (StoreRegistry::engineFor(shown) != engine || StoreRegistry::redactAddress(shown) != shown)
        throw LinkError { QStringLiteral("its store address cannot be read (%1)").arg(shown) };
    return shown;
}

void checkName(const QString& key, const QString& value)
{
    if (value.isEmpty())
        throw LinkError { QStringLiteral("\"%1\" is empty").arg(key) };
}

Place parsePlace(const QString& given)
{
    const QString link = given.trimmed();
    if (link.size() > PlaceLink::MaxLength)
        throw LinkError { QStringLiteral("it is longer than %1 characters").arg(PlaceLink::MaxLength) };
    if (!PlaceLink::looksLikeLink(link))
        throw LinkError { QStringLiteral("it does not start with %1:").arg(PlaceLink::scheme) };
    for (qsizetype i = 0; i < link.size(); ++i) {
        const char16_t c = link.at(i).unicode();
        if (c <= 0x20 || c >= 0x7f)
            throw LinkError { QStringLiteral("character %1 is not allowed there (a space or another character that "
                                             "must be percent-encoded)")
                                  .arg(i + 1) };
    }
    QString rest = link.mid(PlaceLink::scheme.size() + 1);
    if (rest.contains(u'#'))
        throw LinkError { QStringLiteral("it has a fragment (#…), which links never have") };
    if (!rest.startsWith(host))
        throw LinkError { QStringLiteral("it does not continue with %1:%2?").arg(PlaceLink::scheme, host) };
    rest = rest.mid(host.size());
    if (rest.startsWith(u'/'))
        rest = rest.mid(1);
    if (!rest.startsWith(u'?'))
        throw LinkError { QStringLiteral("it has no parameters after %1:%2?").arg(PlaceLink::scheme, host) };
    rest = rest.mid(1);

    QList<std::pair<QString, QString>> params;
    for (const QString& part : rest.split(u'&')) {
        const qsizetype eq = part.indexOf(u'=');
        if (part.isEmpty() || eq <= 0)
            throw LinkError { QStringLiteral("the parameter \"%1\" is not key=value").arg(part) };
        const QString key = part.left(eq);
        params.append({ key, decodeValue(key, part.mid(eq + 1).toLatin1()) });
    }
    auto values = [&params](const QString& key) {
        QStringList out;
        for (const auto& [k, v] : params) {
            if (k == key)
                out.append(v);
        }
        return out;
    };
    const QStringList versions = values(QStringLiteral("v"));
    if (versions.size() != 1)
        throw LinkError { QStringLiteral("it must name its format exactly once (v=%1)").arg(PlaceLink::FormatVersion) };
    const qint64 format = number(QStringLiteral("v"), versions.first());
    if (format > PlaceLink::FormatVersion)
        throw LinkError { QStringLiteral("it was made by a newer EventScope (link format %1; this one reads format %2)")
                              .arg(format)
                              .arg(PlaceLink::FormatVersion) };
    if (format < 1)
        throw LinkError { QStringLiteral("there is no link format %1").arg(format) };
    static const QStringList known { QStringLiteral("v"), QStringLiteral("store"), QStringLiteral("layout"),
        QStringLiteral("stream"), QStringLiteral("category"), QStringLiteral("position"), QStringLiteral("version"),
        QStringLiteral("type"), QStringLiteral("from"), QStringLiteral("to"), QStringLiteral("text"),
        QStringLiteral("where"), QStringLiteral("view"), QStringLiteral("reducer") };
    for (const auto& [key, value] : params) {
        if (!known.contains(key))
            throw LinkError { QStringLiteral("it has an unknown parameter \"%1\"").arg(key) };
        if (key != QLatin1String("type") && values(key).size() > 1)
            throw LinkError { QStringLiteral("it gives \"%1\" more than once").arg(key) };
    }
    auto one = [&values](const QString& key) {
        const QStringList v = values(key);
        return v.isEmpty() ? std::optional<QString>() : std::optional<QString>(v.first());
    };

    Place place;
    const auto store = one(QStringLiteral("store"));
    place.store = checkedStore(store.value_or(QString()));
    if (const auto layout = one(QStringLiteral("layout"))) {
        static const QRegularExpression name(QStringLiteral("^[A-Za-z0-9_.-]{1,64}$"));
        if (!name.match(*layout).hasMatch())
            throw LinkError { QStringLiteral("\"layout\" is not a layout name: \"%1\"").arg(*layout) };
        place.layout = *layout;
    }
    const auto stream = one(QStringLiteral("stream"));
    const auto category = one(QStringLiteral("category"));
    if (stream && category)
        throw LinkError { QStringLiteral("it names a stream and a category; a place has one scope") };
    if (stream) {
        checkName(QStringLiteral("stream"), *stream);
        place.scope = Place::Scope::Stream;
        place.scopeName = *stream;
    } else if (category) {
        checkName(QStringLiteral("category"), *category);
        place.scope = Place::Scope::Category;
        place.scopeName = *category;
    }
    if (const auto position = one(QStringLiteral("position"))) {
        if (stream)
            throw LinkError { QStringLiteral("it gives a position in a stream, whose events are named by version") };
        place.position = number(QStringLiteral("position"), *position);
    }
    if (const auto version = one(QStringLiteral("version"))) {
        if (!stream)
            throw LinkError { QStringLiteral("it gives a version but no stream") };
        place.version = number(QStringLiteral("version"), *version);
    }
    for (const QString& type : values(QStringLiteral("type"))) {
        checkName(QStringLiteral("type"), type);
        place.filter.types.append(type);
    }
    if (const auto from = one(QStringLiteral("from")))
        place.filter.fromTime = time(QStringLiteral("from"), *from);
    if (const auto to = one(QStringLiteral("to")))
        place.filter.toTime = time(QStringLiteral("to"), *to);
    if (place.filter.fromTime.isValid() && place.filter.toTime.isValid()
        && place.filter.toTime <= place.filter.fromTime)
        throw LinkError { QStringLiteral("its time range ends before it starts") };
    const auto text = one(QStringLiteral("text"));
    const auto where = one(QStringLiteral("where"));
    if (text && where)
        throw LinkError { QStringLiteral("it gives both a text and a condition; a filter has one or the other") };
    if (text) {
        checkName(QStringLiteral("text"), *text);
        place.filter.text = *text;
    }
    if (where) {
        QString why;
        if (where->trimmed().isEmpty() || !EventFilter::parseConditions(*where, &place.filter.conditions, &why))
            throw LinkError { QStringLiteral("its condition \"%1\" does not parse: %2").arg(*where, why) };
    }
    if (const auto view = one(QStringLiteral("view"))) {
        if (*view == QLatin1String("timetravel"))
            place.view = Place::View::TimeTravel;
        else if (*view != QLatin1String("table"))
            throw LinkError { QStringLiteral("\"view\" is table or timetravel, not \"%1\"").arg(*view) };
    }
    if (const auto reducer = one(QStringLiteral("reducer"))) {
        if (place.view != Place::View::TimeTravel)
            throw LinkError { QStringLiteral("it names a reducer outside time travel") };
        if (reducer->isEmpty() || reducer->size() > 255 || reducer->contains(u'/') || reducer->contains(u'\\')
            || reducer->startsWith(u':') || reducer->startsWith(u'.'))
            throw LinkError {
                QStringLiteral("\"reducer\" must be a reducer's name, never a path: \"%1\"").arg(*reducer)
            };
        place.reducer = *reducer;
    }
    if (place.view == Place::View::TimeTravel) {
        if (place.scope != Place::Scope::Stream)
            throw LinkError { QStringLiteral("time travel needs a stream") };
        if (place.filter.hasPredicates())
            throw LinkError { QStringLiteral("time travel takes no filter") };
    }
    return place;
}

void append(QString& out, const QString& key, const QString& value)
{
    out += u'&' + key + u'=' + QString::fromLatin1(QUrl::toPercentEncoding(value));
}

} // namespace

const QString PlaceLink::scheme = QStringLiteral("eventscope");

EventFilter Place::eventFilter() const
{
    EventFilter out = filter;
    out.stream = scope == Scope::Stream ? scopeName : QString();
    out.category = scope == Scope::Category ? scopeName : QString();
    out.maxKey = -1;
    return out;
}

bool Place::sameView(const Place& o) const
{
    auto sameTime
        = [](const QDateTime& a, const QDateTime& b) { return a.isValid() == b.isValid() && (!a.isValid() || a == b); };
    return store == o.store && layout == o.layout && scope == o.scope && scopeName == o.scopeName
        && filter.types == o.filter.types && sameTime(filter.fromTime, o.filter.fromTime)
        && sameTime(filter.toTime, o.filter.toTime) && filter.text == o.filter.text
        && conditionsText(filter.conditions) == conditionsText(o.filter.conditions) && view == o.view;
}

bool Place::operator==(const Place& o) const
{
    return sameView(o) && position == o.position && version == o.version && reducer == o.reducer;
}

QString Place::describe() const
{
    QString where = scope == Scope::All ? QStringLiteral("global log")
        : scope == Scope::Category      ? QStringLiteral("category %1").arg(scopeName)
                                        : QStringLiteral("stream %1").arg(scopeName);
    if (view == View::TimeTravel)
        where = QStringLiteral("time travel: ") + where;
    if (scope == Scope::Stream && version >= 0)
        where += QStringLiteral(" at version %1").arg(version);
    else if (scope != Scope::Stream && position >= 0)
        where += QStringLiteral(" at position %1").arg(position);
    if (view == View::TimeTravel && !reducer.isEmpty())
        where += QStringLiteral(" (%1)").arg(reducer);
    if (filter.hasPredicates())
        where += QStringLiteral(", filtered");
    return where;
}

bool PlaceLink::looksLikeLink(const QString& text)
{
    const QString t = text.trimmed();
    return t.size() > scheme.size() && t.startsWith(scheme, Qt::CaseInsensitive) && t.at(scheme.size()) == u':';
}

QString PlaceLink::storeOf(const QString& address)
{
    const QFileInfo file(address);
    if (!address.contains(QLatin1String("://")) && file.isRelative() && file.isFile())
        return StoreRegistry::redactAddress(file.absoluteFilePath());
    return StoreRegistry::redactAddress(address);
}

QString PlaceLink::toLink(const Place& given, QString* error)
{
    Place place = given;
    place.store = storeOf(given.store);
    QString out = scheme + u':' + host + QStringLiteral("?v=%1").arg(FormatVersion);
    append(out, QStringLiteral("store"), place.store);
    if (!place.layout.isEmpty())
        append(out, QStringLiteral("layout"), place.layout);
    if (place.scope != Place::Scope::All)
        append(out, scopeKey(place.scope), place.scopeName);
    if (place.scope == Place::Scope::Stream && place.version >= 0)
        append(out, QStringLiteral("version"), QString::number(place.version));
    if (place.scope != Place::Scope::Stream && place.position >= 0)
        append(out, QStringLiteral("position"), QString::number(place.position));
    for (const QString& type : place.filter.types)
        append(out, QStringLiteral("type"), type);
    if (place.filter.fromTime.isValid())
        append(out, QStringLiteral("from"), timeText(place.filter.fromTime));
    if (place.filter.toTime.isValid())
        append(out, QStringLiteral("to"), timeText(place.filter.toTime));
    if (!place.filter.text.isEmpty())
        append(out, QStringLiteral("text"), place.filter.text);
    if (!place.filter.conditions.empty())
        append(out, QStringLiteral("where"), conditionsText(place.filter.conditions));
    if (place.view == Place::View::TimeTravel) {
        append(out, QStringLiteral("view"), QStringLiteral("timetravel"));
        if (!place.reducer.isEmpty())
            append(out, QStringLiteral("reducer"), place.reducer);
    }
    // Whatever is written must read back as the same place, or it is no link.
    std::optional<Place> back;
    try {
        back = parsePlace(out);
    } catch (const LinkError& e) {
        if (error)
            *error = QStringLiteral("No link can name this place: %1.").arg(e.message);
        return {};
    }
    place.position = place.scope == Place::Scope::Stream ? -1 : place.position;
    place.version = place.scope == Place::Scope::Stream ? place.version : -1;
    place.reducer = place.view == Place::View::TimeTravel ? place.reducer : QString();
    if (*back != place) {
        if (error)
            *error = QStringLiteral("This place cannot be written as a link that reads back the same.");
        return {};
    }
    return out;
}

std::optional<Place> PlaceLink::parse(const QString& link, QString* error)
{
    try {
        return parsePlace(link);
    } catch (const LinkError& e) {
        if (error)
            *error = QStringLiteral("Not an EventScope link: %1.").arg(e.message);
        return std::nullopt;
    }
}

QString reducerNameOfKey(const QString& key)
{
    if (key == ReducerCatalog::mergeKey || key == ReducerCatalog::mergeByTypeKey)
        return key;
    return QFileInfo(key).fileName();
}

QString reducerKeyOfName(const QString& name)
{
    for (const ReducerCatalog::Entry& e : ReducerCatalog::entries()) {
        if (reducerNameOfKey(e.key) == name)
            return e.key;
    }
    return {};
}

} // namespace es
