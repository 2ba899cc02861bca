#include "layouts/profile.h"

#include "store/eventstore.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>

#include <algorithm>

namespace es {

namespace {

const QStringList engineKeys = { QStringLiteral("sqlite"), QStringLiteral("postgresql") };

[[noreturn]] void fail(const QString& origin, const QString& message)
{
    throw StoreError(QStringLiteral("Profile %1: %2").arg(origin, message), StoreError::Kind::BadAddress);
}

class Reader {
public:
    Reader(const QJsonObject& object, QString path, QString origin)
        : m_object(object)
        , m_path(std::move(path))
        , m_origin(std::move(origin))
    { }

    void allow(const QStringList& keys) const
    {
        for (auto it = m_object.begin(); it != m_object.end(); ++it) {
            if (!keys.contains(it.key()) && !engineKeys.contains(it.key()))
                fail(m_origin,
                    QStringLiteral("unknown key \"%1\" (known keys: %2)")
                        .arg(where(it.key()), keys.join(QStringLiteral(", "))));
        }
    }
    QString where(const QString& key) const { return m_path.isEmpty() ? key : m_path + u'.' + key; }

    QString string(const QString& key, bool required = false, const QString& fallback = {}) const
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || v.isNull()) {
            if (required)
                fail(m_origin, QStringLiteral("\"%1\" is required").arg(where(key)));
            return fallback;
        }
        if (!v.isString())
            fail(m_origin, QStringLiteral("\"%1\" must be a string").arg(where(key)));
        if (required && v.toString().trimmed().isEmpty())
            fail(m_origin, QStringLiteral("\"%1\" must not be empty").arg(where(key)));
        return v.toString();
    }
    QStringList strings(const QString& key) const
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || v.isNull())
            return {};
        if (v.isString())
            return { v.toString() };
        if (!v.isArray())
            fail(m_origin, QStringLiteral("\"%1\" must be a string or an array of strings").arg(where(key)));
        QStringList out;
        for (const QJsonValue item : v.toArray()) {
            if (!item.isString())
                fail(m_origin, QStringLiteral("\"%1\" must hold only strings").arg(where(key)));
            out.append(item.toString());
        }
        return out;
    }
    bool boolean(const QString& key, bool fallback) const
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || v.isNull())
            return fallback;
        if (!v.isBool())
            fail(m_origin, QStringLiteral("\"%1\" must be true or false").arg(where(key)));
        return v.toBool();
    }
    qint64 integer(const QString& key, qint64 fallback) const
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || v.isNull())
            return fallback;
        if (!v.isDouble())
            fail(m_origin, QStringLiteral("\"%1\" must be a number").arg(where(key)));
        return v.toInteger();
    }
    QJsonObject object(const QString& key, bool required = false) const
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || v.isNull()) {
            if (required)
                fail(m_origin, QStringLiteral("\"%1\" is required").arg(where(key)));
            return {};
        }
        if (!v.isObject())
            fail(m_origin, QStringLiteral("\"%1\" must be an object").arg(where(key)));
        return v.toObject();
    }
    Reader sub(const QString& key, bool required = false) const
    {
        return Reader(object(key, required), where(key), m_origin);
    }
    bool has(const QString& key) const { return m_object.contains(key); }
    const QJsonObject& json() const { return m_object; }
    const QString& origin() const { return m_origin; }

private:
    QJsonObject m_object;
    QString m_path;
    QString m_origin;
};

QString substitute(QString text, const QHash<QString, QString>& names)
{
    for (auto it = names.begin(); it != names.end(); ++it)
        text.replace(u'{' + it.key() + u'}', it.value());
    return text;
}

QString quoteIdentifier(const QString& name)
{
    QString q = name;
    q.replace(QLatin1String("\""), QLatin1String("\"\""));
    return u'"' + q + u'"';
}

struct BuiltIns {
    QMutex mutex;
    bool loaded = false;
    std::vector<std::pair<QString, QJsonObject>> objects; // origin, object
};

BuiltIns& builtIns()
{
    static BuiltIns b;
    QMutexLocker lock(&b.mutex);
    if (!b.loaded) {
        b.loaded = true;
        const QDir dir(QStringLiteral(":/profiles"));
        const QStringList files = dir.entryList({ QStringLiteral("*.json") }, QDir::Files, QDir::Name);
        for (const QString& file : files) {
            QFile f(dir.filePath(file));
            if (!f.open(QIODevice::ReadOnly))
                continue;
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
            if (doc.isObject())
                b.objects.emplace_back(f.fileName(), doc.object());
            else
                qWarning(
                    "Built-in profile %s is not valid JSON: %s", qPrintable(file), qPrintable(error.errorString()));
        }
    }
    return b;
}

} // namespace

QJsonObject mergeJson(const QJsonObject& base, const QJsonObject& over)
{
    QJsonObject out = base;
    for (auto it = over.begin(); it != over.end(); ++it) {
        const QJsonValue existing = out.value(it.key());
        if (existing.isObject() && it.value().isObject())
            out.insert(it.key(), mergeJson(existing.toObject(), it.value().toObject()));
        else
            out.insert(it.key(), it.value());
    }
    return out;
}

namespace {

// The object with its engine sub-object merged over it, engine keys removed.
QJsonObject forEngine(const QJsonObject& object, const QString& engine, const QString& label, const QString& where)
{
    QJsonObject merged = object;
    const QJsonValue engineOverride = object.value(engine);
    if (engineOverride.isObject())
        merged = mergeJson(object, engineOverride.toObject());
    else if (!engineOverride.isUndefined())
        fail(label, QStringLiteral("\"%1%2\" must be an object merged over the profile").arg(where, engine));
    for (const QString& e : engineKeys)
        merged.remove(e);
    return merged;
}

} // namespace

Profile Profile::fromJson(const QJsonObject& object, const QString& engine, const QString& origin)
{
    const QString label = origin.isEmpty() ? object.value(QLatin1String("name")).toString() : origin;
    QJsonObject base = forEngine(object, engine, label, {});
    const QJsonValue variants = base.take(QLatin1String("variants"));
    if (base.contains(QLatin1String("variant")))
        fail(label, QStringLiteral("\"variant\" names a release only inside \"variants\""));
    Profile p = parse(base, label, origin);
    if (variants.isUndefined() || variants.isNull())
        return p;
    if (!variants.isArray())
        fail(label, QStringLiteral("\"variants\" must be an array of objects"));
    int index = 0;
    for (const QJsonValue v : variants.toArray()) {
        const QString where = QStringLiteral("variants[%1]").arg(index++);
        if (!v.isObject())
            fail(label, QStringLiteral("\"%1\" must be an object").arg(where));
        QJsonObject own = forEngine(v.toObject(), engine, label, where + u'.');
        for (const char* key : { "name", "variants" }) {
            if (own.contains(QLatin1String(key)))
                fail(label, QStringLiteral("\"%1.%2\" cannot be set in a variant").arg(where, QLatin1String(key)));
        }
        const QJsonValue name = own.value(QLatin1String("variant"));
        if (!name.isString() || name.toString().trimmed().isEmpty())
            fail(label, QStringLiteral("\"%1.variant\" must name the releases it describes").arg(where));
        Profile vp = parse(mergeJson(base, own), label + u' ' + where, origin);
        if (vp.supports(engine))
            p.variants.push_back(std::move(vp));
    }
    return p;
}

Profile Profile::parse(const QJsonObject& merged, const QString& label, const QString& origin)
{
    const Reader root(merged, {}, label);
    root.allow({ QStringLiteral("name"), QStringLiteral("title"), QStringLiteral("source"), QStringLiteral("engines"),
        QStringLiteral("notes"), QStringLiteral("detect"), QStringLiteral("events"), QStringLiteral("category"),
        QStringLiteral("correlation"), QStringLiteral("streams"), QStringLiteral("checkpoints"),
        QStringLiteral("comment"), QStringLiteral("schema"), QStringLiteral("tail"), QStringLiteral("variant") });

    Profile p;
    p.origin = origin;
    p.name = root.string(QStringLiteral("name"), true);
    p.title = root.string(QStringLiteral("title"), false, p.name);
    p.variant = root.string(QStringLiteral("variant"));
    p.sources = root.strings(QStringLiteral("source"));
    p.engines = root.strings(QStringLiteral("engines"));
    p.notes = root.strings(QStringLiteral("notes"));
    p.schemas = root.strings(QStringLiteral("schema"));

    const Reader detect = root.sub(QStringLiteral("detect"), true);
    detect.allow({ QStringLiteral("tables") });
    const QJsonValue tables = detect.json().value(QLatin1String("tables"));
    if (!tables.isArray() || tables.toArray().isEmpty())
        fail(label, QStringLiteral("\"detect.tables\" must be a non-empty array of tables"));
    int index = 0;
    for (const QJsonValue t : tables.toArray()) {
        if (!t.isObject())
            fail(label, QStringLiteral("\"detect.tables[%1]\" must be an object").arg(index));
        const Reader r(t.toObject(), QStringLiteral("detect.tables[%1]").arg(index), label);
        r.allow({ QStringLiteral("as"), QStringLiteral("names"), QStringLiteral("columns"), QStringLiteral("optional"),
            QStringLiteral("each") });
        Table table;
        table.alias = r.string(QStringLiteral("as"), true);
        table.names = r.strings(QStringLiteral("names"));
        if (table.names.isEmpty())
            fail(label, QStringLiteral("\"%1\" is required").arg(r.where(QStringLiteral("names"))));
        table.columns = r.strings(QStringLiteral("columns"));
        table.optional = r.boolean(QStringLiteral("optional"), false);
        table.each = r.boolean(QStringLiteral("each"), false);
        if (table.each && table.columns.isEmpty())
            fail(
                label, QStringLiteral("\"%1\" needs the columns its union reads").arg(r.where(QStringLiteral("each"))));
        p.tables.push_back(table);
        ++index;
    }

    const Reader ev = root.sub(QStringLiteral("events"), true);
    ev.allow({ QStringLiteral("table"), QStringLiteral("position"), QStringLiteral("stream"), QStringLiteral("version"),
        QStringLiteral("firstVersion"), QStringLiteral("type"), QStringLiteral("time"), QStringLiteral("timeFormat"),
        QStringLiteral("timeFilter"), QStringLiteral("timeTextFormat"), QStringLiteral("id"), QStringLiteral("data"),
        QStringLiteral("metadata"), QStringLiteral("where") });
    p.events.table = ev.string(QStringLiteral("table"), true);
    p.events.position = ev.string(QStringLiteral("position"), true);
    p.events.stream = ev.string(QStringLiteral("stream"), true);
    p.events.version = ev.string(QStringLiteral("version"), true);
    p.events.firstVersion = ev.integer(QStringLiteral("firstVersion"), 0);
    p.events.type = ev.string(QStringLiteral("type"), true);
    p.events.time = ev.string(QStringLiteral("time"));
    p.events.timeFormat = ev.string(
        QStringLiteral("timeFormat"), false, p.events.time.isEmpty() ? QStringLiteral("none") : QStringLiteral("iso"));
    p.events.timeFilter = ev.string(QStringLiteral("timeFilter"), false, QStringLiteral("julianday"));
    p.events.timeTextFormat = ev.string(QStringLiteral("timeTextFormat"), false, p.events.timeTextFormat);
    p.events.id = ev.string(QStringLiteral("id"));
    p.events.data = ev.string(QStringLiteral("data"), true);
    p.events.metadata = ev.string(QStringLiteral("metadata"));
    p.events.where = ev.string(QStringLiteral("where"));
    if (p.events.timeFormat != QLatin1String("iso") && p.events.timeFormat != QLatin1String("none"))
        fail(label,
            QStringLiteral("\"events.timeFormat\" must be \"iso\" or \"none\" (got \"%1\")").arg(p.events.timeFormat));
    static const QStringList filters = { QStringLiteral("text"), QStringLiteral("julianday"), QStringLiteral("epoch_s"),
        QStringLiteral("epoch_ms"), QStringLiteral("timestamp") };
    if (!filters.contains(p.events.timeFilter))
        fail(label,
            QStringLiteral("\"events.timeFilter\" must be one of %1 (got \"%2\")")
                .arg(filters.join(QStringLiteral(", ")), p.events.timeFilter));
    if (p.events.timeFormat == QLatin1String("none"))
        p.events.time.clear();

    if (root.has(QStringLiteral("category"))) {
        const Reader cat = root.sub(QStringLiteral("category"));
        cat.allow({ QStringLiteral("separator"), QStringLiteral("expression") });
        p.category.separator = cat.string(QStringLiteral("separator"), false, p.category.separator);
        p.category.expression = cat.string(QStringLiteral("expression"));
        if (p.category.separator.isEmpty() && p.category.expression.isEmpty())
            fail(label, QStringLiteral("\"category\" needs a separator or an expression"));
    }

    if (root.has(QStringLiteral("correlation"))) {
        const Reader corr = root.sub(QStringLiteral("correlation"));
        corr.allow({ QStringLiteral("correlation"), QStringLiteral("causation"), QStringLiteral("causationTarget"),
            QStringLiteral("id"), QStringLiteral("columns") });
        p.correlationKeys = corr.strings(QStringLiteral("correlation"));
        if (corr.has(QStringLiteral("columns"))) {
            const Reader cols = corr.sub(QStringLiteral("columns"));
            cols.allow({ QStringLiteral("correlation"), QStringLiteral("causation") });
            p.correlationColumn = cols.string(QStringLiteral("correlation"));
            p.causationColumn = cols.string(QStringLiteral("causation"));
        }
        p.causationKeys = corr.strings(QStringLiteral("causation"));
        p.idKeys = corr.strings(QStringLiteral("id"));
        const QString target = corr.string(QStringLiteral("causationTarget"), false, QStringLiteral("id"));
        if (target == QLatin1String("position"))
            p.causationTarget = EventLinks::CausationTarget::GlobalPosition;
        else if (target != QLatin1String("id"))
            fail(label,
                QStringLiteral("\"correlation.causationTarget\" must be \"id\" or \"position\" (got \"%1\")")
                    .arg(target));
    }

    if (root.has(QStringLiteral("streams"))) {
        const Reader st = root.sub(QStringLiteral("streams"));
        st.allow({ QStringLiteral("table"), QStringLiteral("name"), QStringLiteral("version"), QStringLiteral("where"),
            QStringLiteral("versionIsCount") });
        p.streams.table = st.string(QStringLiteral("table"), true);
        p.streams.name = st.string(QStringLiteral("name"), true);
        p.streams.version = st.string(QStringLiteral("version"), true);
        p.streams.where = st.string(QStringLiteral("where"));
        p.streams.versionIsCount = st.boolean(QStringLiteral("versionIsCount"), false);
    }

    const QJsonValue cps = merged.value(QLatin1String("checkpoints"));
    if (!cps.isUndefined() && !cps.isNull()) {
        if (!cps.isArray())
            fail(label, QStringLiteral("\"checkpoints\" must be an array"));
        index = 0;
        for (const QJsonValue c : cps.toArray()) {
            if (!c.isObject())
                fail(label, QStringLiteral("\"checkpoints[%1]\" must be an object").arg(index));
            const Reader r(c.toObject(), QStringLiteral("checkpoints[%1]").arg(index), label);
            r.allow({ QStringLiteral("table"), QStringLiteral("name"), QStringLiteral("position"),
                QStringLiteral("format"), QStringLiteral("where"), QStringLiteral("raw"), QStringLiteral("partition"),
                QStringLiteral("category"), QStringLiteral("stream") });
            Checkpoint cp;
            cp.table = r.string(QStringLiteral("table"), true);
            cp.name = r.string(QStringLiteral("name"), true);
            cp.position = r.string(QStringLiteral("position"), true);
            cp.format = r.string(QStringLiteral("format"));
            cp.where = r.string(QStringLiteral("where"));
            cp.raw = r.string(QStringLiteral("raw"));
            cp.partition = r.string(QStringLiteral("partition"));
            cp.category = r.string(QStringLiteral("category"));
            cp.stream = r.string(QStringLiteral("stream"));
            if (!cp.category.isEmpty() && !cp.stream.isEmpty())
                fail(label, QStringLiteral("\"checkpoints[%1]\" has both \"category\" and \"stream\"").arg(index));
            p.checkpoints.push_back(cp);
            ++index;
        }
    }

    if (root.has(QStringLiteral("tail"))) {
        const Reader tail = root.sub(QStringLiteral("tail"));
        tail.allow({ QStringLiteral("order"), QStringLiteral("transaction"), QStringLiteral("label"),
            QStringLiteral("streams"), QStringLiteral("sequences") });
        p.tail.order = tail.string(QStringLiteral("order"), false, p.tail.order);
        p.tail.transaction = tail.string(QStringLiteral("transaction"));
        p.tail.label = tail.string(QStringLiteral("label"));
        p.tail.streams = tail.string(QStringLiteral("streams"), false, p.tail.streams);
        p.tail.sequences = tail.strings(QStringLiteral("sequences"));
        if (p.tail.streams != QLatin1String("version") && p.tail.streams != QLatin1String("settled"))
            fail(label, QStringLiteral("\"tail.streams\" must be version or settled (got \"%1\")").arg(p.tail.streams));
        static const QStringList orders = { QStringLiteral("settled"), QStringLiteral("commit"),
            QStringLiteral("category"), QStringLiteral("transaction") };
        if (!orders.contains(p.tail.order))
            fail(label,
                QStringLiteral("\"tail.order\" must be one of %1 (got \"%2\")")
                    .arg(orders.join(QStringLiteral(", ")), p.tail.order));
        if ((p.tail.order == QLatin1String("transaction")) != !p.tail.transaction.isEmpty())
            fail(label,
                QStringLiteral("\"tail.transaction\" is needed with, and only with, \"order\": \"transaction\""));
    }

    // Every {alias} used must be declared in detect.tables.
    QStringList aliases;
    for (const Table& t : p.tables)
        aliases.append(t.alias);
    const QStringList expressions = { p.events.table, p.events.position, p.events.stream, p.events.version,
        p.events.type, p.events.time, p.events.id, p.events.data, p.events.metadata, p.events.where,
        p.category.expression, p.streams.table, p.streams.where, p.tail.transaction };
    for (const QString& e : expressions) {
        qsizetype at = 0;
        while ((at = e.indexOf(u'{', at)) >= 0) {
            const qsizetype end = e.indexOf(u'}', at);
            if (end < 0)
                break;
            const QString alias = e.mid(at + 1, end - at - 1);
            bool identifier = !alias.isEmpty();
            bool digits = true; // {4} is a regular expression's count, not an alias
            for (const QChar c : alias) {
                identifier = identifier && (c.isLetterOrNumber() || c == u'_');
                digits = digits && c.isDigit();
            }
            identifier = identifier && !digits;
            if (identifier && alias != QLatin1String("schema") && !aliases.contains(alias))
                fail(label,
                    QStringLiteral("\"{%1}\" is used but no table in detect.tables has \"as\": \"%1\"").arg(alias));
            at = end + 1;
        }
    }
    return p;
}

EventLinks Profile::links() const
{
    EventLinks l;
    l.correlationKeys = correlationKeys;
    l.causationKeys = causationKeys;
    l.causationTarget = causationTarget;
    l.idKeys = idKeys;
    return l;
}

Profile Profile::load(const QString& path, const QString& engine)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw StoreError(QStringLiteral("Cannot read the mapping file %1: %2").arg(path, f.errorString()),
            StoreError::Kind::BadAddress);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
    if (!doc.isObject())
        throw StoreError(
            QStringLiteral("The mapping file %1 is not a JSON object: %2 at offset %3")
                .arg(path,
                    error.error == QJsonParseError::NoError ? QStringLiteral("not an object") : error.errorString())
                .arg(error.offset),
            StoreError::Kind::BadAddress);
    return fromJson(doc.object(), engine, path);
}

Profile Profile::resolved(const QHash<QString, QString>& tableNames, const QString& schema) const
{
    QHash<QString, QString> quoted;
    QHash<QString, QStringList> written; // alias -> the quoted tables writers lock
    const QString prefix = schema.isEmpty() ? QString() : quoteIdentifier(schema) + u'.';
    for (auto it = tableNames.begin(); it != tableNames.end(); ++it) {
        const auto table
            = std::find_if(tables.begin(), tables.end(), [&](const Table& t) { return t.alias == it.key(); });
        if (table == tables.end() || !table->each) {
            quoted.insert(it.key(), prefix + quoteIdentifier(it.value()));
            written[it.key()] = { quoted.value(it.key()) };
            continue;
        }
        // One SELECT per table found, reading the profile's columns and the table's name as es_table.
        QStringList selects;
        for (const QString& name : it.value().split(u'\n', Qt::SkipEmptyParts)) {
            QString literal = name;
            literal.replace(QLatin1String("'"), QLatin1String("''"));
            QStringList columns;
            for (const QString& c : table->columns)
                columns.append(QStringLiteral("t.") + quoteIdentifier(c.toLower()));
            selects.append(QStringLiteral("SELECT '%1' AS es_table, %2 FROM %3 t")
                               .arg(literal, columns.join(QStringLiteral(", ")), prefix + quoteIdentifier(name)));
            written[it.key()].append(prefix + quoteIdentifier(name));
        }
        quoted.insert(it.key(), u'(' + selects.join(QStringLiteral(" UNION ALL ")) + u')');
    }
    if (!schema.isEmpty())
        quoted.insert(QStringLiteral("schema"), quoteIdentifier(schema));
    Profile p = *this;
    p.variants.clear();
    for (QString* e : { &p.events.table, &p.events.position, &p.events.stream, &p.events.version, &p.events.type,
             &p.events.time, &p.events.id, &p.events.data, &p.events.metadata, &p.events.where, &p.category.expression,
             &p.streams.table, &p.streams.name, &p.streams.version, &p.streams.where, &p.tail.transaction,
             &p.correlationColumn, &p.causationColumn })
        *e = substitute(*e, quoted);
    p.tail.tables.clear();
    for (auto it = tableNames.begin(); it != tableNames.end(); ++it) {
        if (events.table.contains(u'{' + it.key() + u'}'))
            p.tail.tables.append(written.value(it.key()));
    }
    p.tail.tables.sort();
    for (QString& s : p.tail.sequences)
        s = prefix + quoteIdentifier(s);
    for (Checkpoint& c : p.checkpoints) {
        for (QString* e : { &c.table, &c.name, &c.position, &c.where, &c.raw, &c.partition, &c.category, &c.stream })
            *e = substitute(*e, quoted);
    }
    return p;
}

QStringList ProfileRegistry::names()
{
    QStringList out;
    for (const Entry& e : entries())
        out.append(e.name);
    return out;
}

std::vector<ProfileRegistry::Entry> ProfileRegistry::entries()
{
    std::vector<Entry> out;
    BuiltIns& b = builtIns();
    QMutexLocker lock(&b.mutex);
    for (const auto& [origin, object] : b.objects) {
        Entry e;
        e.name = object.value(QLatin1String("name")).toString();
        e.title = object.value(QLatin1String("title")).toString(e.name);
        for (const QJsonValue v : object.value(QLatin1String("engines")).toArray())
            e.engines.append(v.toString());
        out.push_back(e);
    }
    return out;
}

std::optional<Profile> ProfileRegistry::find(const QString& name, const QString& engine)
{
    BuiltIns& b = builtIns();
    QJsonObject found;
    QString origin;
    {
        QMutexLocker lock(&b.mutex);
        for (const auto& [o, object] : b.objects) {
            if (object.value(QLatin1String("name")).toString().compare(name, Qt::CaseInsensitive) == 0) {
                found = object;
                origin = o;
            }
        }
    }
    if (found.isEmpty())
        return std::nullopt;
    Profile p = Profile::fromJson(found, engine, origin);
    if (!p.supports(engine))
        return std::nullopt;
    return p;
}

std::vector<Profile> ProfileRegistry::forEngine(const QString& engine)
{
    std::vector<Profile> out;
    for (const Entry& e : entries()) {
        if (!e.engines.isEmpty() && !e.engines.contains(engine))
            continue;
        if (auto p = find(e.name, engine))
            out.push_back(*p);
    }
    return out;
}

} // namespace es
