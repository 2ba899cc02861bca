#include "layouts/layoutdetector.h"

#include <QRegularExpression>

#include <algorithm>

namespace es {

namespace {

QString describe(const Profile& p)
{
    QStringList parts;
    for (const Profile::Table& t : p.tables) {
        parts.append(t.names.join(QStringLiteral(" or "))
            + (t.columns.isEmpty() ? QString() : u'(' + t.columns.join(QStringLiteral(", ")) + u')')
            + (t.optional ? QStringLiteral(" [optional]") : QString()));
    }
    QStringList variants;
    for (const Profile& v : p.variants)
        variants.append(v.variant);
    return QStringLiteral("%1 (%2): %3%4")
        .arg(p.name, p.title, parts.join(QStringLiteral("; ")),
            variants.isEmpty() ? QString()
                               : QStringLiteral(" (or the tables of %1)").arg(variants.join(QStringLiteral(", "))));
}

QString qualified(const QString& schema, const QString& table)
{
    return schema.isEmpty() ? table : schema + u'.' + table;
}

} // namespace

LayoutDetector::LayoutDetector(QString engine, QString engineTitle, QString where, ColumnLookup columns)
    : m_engine(std::move(engine))
    , m_engineTitle(std::move(engineTitle))
    , m_where(std::move(where))
    , m_columns(std::move(columns))
{ }

void LayoutDetector::addSchema(const QString& schema, const QStringList& tables)
{
    if (!m_schemas.contains(schema))
        m_schemas.append(schema);
    m_tables[schema].append(tables);
}

LayoutDetector::Match LayoutDetector::matchIn(const Profile& p, const QString& schema) const
{
    Match m { p, schema, 0, {}, {} };
    const QStringList tables = m_tables.value(schema);
    QHash<QString, QString> found;
    for (const Profile::Table& t : p.tables) {
        QString chosen;
        QStringList every; // "each": every table that fits
        QString lacking;
        for (const QString& pattern : t.names) {
            const QRegularExpression re(pattern.contains(u'*')
                    ? QRegularExpression::wildcardToRegularExpression(pattern)
                    : QRegularExpression::anchoredPattern(QRegularExpression::escape(pattern)),
                QRegularExpression::CaseInsensitiveOption);
            for (const QString& table : tables) {
                if (!re.match(table).hasMatch())
                    continue;
                const QStringList have = m_columns(schema, table);
                QStringList missing;
                for (const QString& c : t.columns) {
                    if (!have.contains(c.toLower()))
                        missing.append(c);
                }
                if (missing.isEmpty() && t.each) {
                    if (!every.contains(table))
                        every.append(table);
                    continue;
                }
                if (missing.isEmpty()) {
                    chosen = table;
                    break;
                }
                if (lacking.isEmpty())
                    lacking = QStringLiteral("table %1 lacks column(s) %2")
                                  .arg(qualified(schema, table), missing.join(QStringLiteral(", ")));
            }
            if (!chosen.isEmpty())
                break;
        }
        if (!every.isEmpty())
            chosen = every.join(u'\n');
        if (chosen.isEmpty()) {
            if (t.optional)
                continue;
            const QString names = t.names.join(QStringLiteral(" or "));
            m.problem = !lacking.isEmpty() ? lacking
                : schema.isEmpty()         ? QStringLiteral("no table %1").arg(names)
                                           : QStringLiteral("no table %1 in schema %2").arg(names, schema);
            return m;
        }
        found.insert(t.alias, chosen);
        m.score += 10 + int(t.columns.size());
    }
    m.profile = p.resolved(found, schema);
    // Checkpoint sources whose table was not found do not apply to this store.
    std::vector<Profile::Checkpoint> present;
    for (const Profile::Checkpoint& c : m.profile.checkpoints) {
        if (!c.table.contains(u'{')) {
            present.push_back(c);
            continue;
        }
        for (const Profile::Table& t : p.tables) {
            if (c.table.contains(u'{' + t.alias + u'}'))
                m.missingCheckpointTables.append(t.names.join(QStringLiteral(" or ")));
        }
    }
    m.profile.checkpoints = present;
    if (m.profile.streams.table.contains(u'{'))
        m.profile.streams = {};
    return m;
}

// The best fitting of the profile and its variants (the first of equal scores); else the base's problem.
LayoutDetector::Match LayoutDetector::match(const Profile& p, const QString& forcedSchema) const
{
    Match best = matchOne(p, forcedSchema);
    for (const Profile& v : p.variants) {
        Match m = matchOne(v, forcedSchema);
        if (m.problem.isEmpty() && (!best.problem.isEmpty() || m.score > best.score))
            best = std::move(m);
    }
    if (!best.profile.variant.isEmpty())
        best.profile.notes.prepend(QStringLiteral("layout of %1").arg(best.profile.variant));
    return best;
}

// The first schema where this profile (one variant) fits; else the problem in the first schema tried.
LayoutDetector::Match LayoutDetector::matchOne(const Profile& p, const QString& forcedSchema) const
{
    QStringList order;
    if (m_schemas.contains(QString())) {
        order = { QString() };
    } else if (!forcedSchema.isEmpty()) {
        order = { forcedSchema };
    } else {
        QStringList all = m_schemas;
        all.sort();
        order = p.schemas;
        for (const QString& s : m_schemaOrder + all) {
            if (!order.contains(s))
                order.append(s);
        }
    }
    Match first;
    for (const QString& schema : order) {
        Match m = matchIn(p, schema);
        if (m.problem.isEmpty())
            return m;
        if (first.problem.isEmpty())
            first = m;
    }
    if (first.problem.isEmpty())
        first = Match { p, {}, 0, QStringLiteral("no schema to look in"), {} };
    return first;
}

QString LayoutDetector::presentText() const
{
    QStringList all = m_schemas;
    all.sort();
    QStringList present;
    for (const QString& schema : all) {
        for (const QString& t : m_tables.value(schema))
            present.append(qualified(schema, t));
    }
    if (present.isEmpty())
        return QStringLiteral("none");
    return present.mid(0, 60).join(QStringLiteral(", ")) + (present.size() > 60 ? QStringLiteral(", ...") : QString());
}

LayoutDetector::Result LayoutDetector::detect(const OpenOptions& options) const
{
    Result result;
    if (!options.mappingFile.isEmpty() || !options.profile.isEmpty()) {
        std::optional<Profile> p;
        if (!options.mappingFile.isEmpty()) {
            p = Profile::load(options.mappingFile, m_engine);
        } else {
            p = ProfileRegistry::find(options.profile, m_engine);
            if (!p)
                throw StoreError(
                    QStringLiteral("Unknown profile \"%1\" for %2 (known: %3).")
                        .arg(options.profile, m_engineTitle, ProfileRegistry::names().join(QStringLiteral(", "))),
                    StoreError::Kind::UnknownLayout);
        }
        Match m = match(*p, options.schema);
        if (!m.problem.isEmpty())
            throw StoreError(QStringLiteral("%1 does not have the layout \"%2\": %3. Tables present: %4.")
                                 .arg(m_where, p->name, m.problem, presentText()),
                StoreError::Kind::MissingTable);
        result.candidates = { m.profile.name };
        result.chosen = std::move(m);
        return result;
    }

    std::vector<Match> matches;
    QStringList lookedFor;
    for (const Profile& p : ProfileRegistry::forEngine(m_engine)) {
        Match m = match(p, options.schema);
        if (m.problem.isEmpty())
            matches.push_back(std::move(m));
        else
            lookedFor.append(describe(p) + QStringLiteral(" — ") + m.problem);
    }
    if (matches.empty())
        throw StoreError(QStringLiteral("No known event store layout in %1. Looked for:\n  %2\nTables present: %3.\n"
                                        "Choose a layout with --profile NAME or describe it with --mapping FILE.")
                             .arg(m_where, lookedFor.join(QStringLiteral("\n  ")), presentText()),
            StoreError::Kind::UnknownLayout);
    std::stable_sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) { return a.score > b.score; });
    for (const Match& m : matches)
        result.candidates.append(m.profile.name);
    result.chosen = std::move(matches.front());
    result.others.assign(std::make_move_iterator(matches.begin() + 1), std::make_move_iterator(matches.end()));
    return result;
}

} // namespace es
