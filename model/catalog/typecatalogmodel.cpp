#include "catalog/typecatalogmodel.h"

#include "activity/histogram.h"

namespace es {

namespace {

QVariant count(qint64 v, int role)
{
    if (v < 0)
        return role == Qt::DisplayRole ? QVariant(QStringLiteral("-")) : QVariant();
    return role == Qt::DisplayRole ? QVariant(QString::number(v)) : QVariant(v);
}

QString typesText(const FieldStats& f)
{
    QStringList parts;
    for (const auto& [name, t] : f.types)
        parts.append(QStringLiteral("%1 %2 (%3-%4)").arg(name).arg(t.count).arg(t.firstPosition).arg(t.lastPosition));
    return parts.join(QStringLiteral(", "));
}

} // namespace

TypeCatalogModel::TypeCatalogModel(QObject* parent)
    : QAbstractItemModel(parent)
{ }

void TypeCatalogModel::setCatalog(std::shared_ptr<const TypeCatalog> catalog)
{
    beginResetModel();
    m_catalog = std::move(catalog);
    endResetModel();
}

int TypeCatalogModel::itemCount(int type, int section) const
{
    const TypeSummary& t = m_catalog->types[size_t(type)];
    switch (section) {
    case FieldsSection:
        return int(t.fields.size());
    case ShapesSection:
        return int(t.shapes.size());
    case DriftSection:
        return int(t.drift.size());
    }
    return 0;
}

QModelIndex TypeCatalogModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, quintptr(0));
    if (parent.internalId() == 0)
        return createIndex(row, column, quintptr(parent.row() + 1));
    if (!(parent.internalId() & ItemBit))
        return createIndex(row, column, ItemBit | (quintptr(parent.internalId() - 1) << 2) | quintptr(parent.row()));
    return {};
}

QModelIndex TypeCatalogModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == 0)
        return {};
    const quintptr id = child.internalId();
    if (!(id & ItemBit))
        return createIndex(int(id - 1), 0, quintptr(0));
    const int type = int((id & ~ItemBit) >> 2);
    const int section = int(id & 3);
    return createIndex(section, 0, quintptr(type + 1));
}

int TypeCatalogModel::rowCount(const QModelIndex& parent) const
{
    if (!m_catalog)
        return 0;
    if (!parent.isValid())
        return int(m_catalog->types.size());
    if (parent.column() != 0)
        return 0;
    if (parent.internalId() == 0)
        return SectionCount;
    if (!(parent.internalId() & ItemBit))
        return itemCount(int(parent.internalId() - 1), parent.row());
    return 0;
}

int TypeCatalogModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

QVariant TypeCatalogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* names[] = { "Type / field / shape", "Events", "Streams", "Rate", "First", "Last", "Detail" };
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

QVariant TypeCatalogModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid) || !m_catalog)
        return {};
    const quintptr id = index.internalId();
    if (id == 0)
        return typeData(m_catalog->types[size_t(index.row())], index.column(), role);
    if (!(id & ItemBit))
        return sectionData(m_catalog->types[size_t(id - 1)], index.row(), index.column(), role);
    const TypeSummary& t = m_catalog->types[size_t((id & ~ItemBit) >> 2)];
    return itemData(t, int(id & 3), index.row(), index.column(), role);
}

QVariant TypeCatalogModel::typeData(const TypeSummary& t, int column, int role) const
{
    if (role == TypeRole)
        return t.type;
    if (role == PositionRole)
        return t.firstPosition;
    if (role == SampledRole)
        return !m_catalog->countsExact;
    if (role == EstimatedRole)
        return t.countEstimated;
    if (role == RateRole) {
        QVariantList rate;
        rate.reserve(qsizetype(t.rate.size()));
        for (const qint64 n : t.rate)
            rate.append(n);
        return rate;
    }
    if (role == Qt::ToolTipRole && column == RateColumn && m_catalog->rateBucketSeconds > 0) {
        return tr("Events per %1 over the scope's time span (%2)")
            .arg(histogram::bucketName(m_catalog->rateBucketSeconds),
                m_catalog->rateEstimated ? tr("estimated from a sample") : tr("counted"));
    }
    if (role == Qt::ToolTipRole && column == CountColumn && !m_catalog->countsExact) {
        if (!t.countEstimated)
            return tr("From a sample; the exact count follows");
        const QString how = m_catalog->countsFromStatistics ? tr("Estimated from the database's planner statistics")
                                                            : tr("Estimated from a sample of position ranges");
        const QString margin = t.countMargin >= 0 ? tr(" (± %L1, two standard errors)").arg(t.countMargin) : QString();
        return tr("%1%2; the exact count follows").arg(how, margin);
    }
    if (role != Qt::DisplayRole && role != SortRole && role != Qt::ToolTipRole)
        return {};
    switch (column) {
    case NameColumn:
        return t.type;
    case CountColumn:
        if (role == Qt::DisplayRole && t.countEstimated)
            return histogram::approximateCount(t.count);
        return count(t.count, role == SortRole ? SortRole : Qt::DisplayRole);
    case StreamsColumn:
        if (role == Qt::DisplayRole && !t.streamsExact && t.streams >= 0)
            return QString(u'≈' + QString::number(t.streams));
        return count(t.streams, role == SortRole ? SortRole : Qt::DisplayRole);
    case RateColumn:
        return role == SortRole ? QVariant(t.count) : QVariant();
    case FirstColumn:
        return count(t.firstPosition, role == SortRole ? SortRole : Qt::DisplayRole);
    case LastColumn:
        return count(t.lastPosition, role == SortRole ? SortRole : Qt::DisplayRole);
    case DetailColumn: {
        QString detail = m_catalog->countsExact ? tr("counts exact")
            : t.countEstimated                  ? tr("counts estimated")
                                                : tr("counts sampled");
        if (m_catalog->countsExact && !t.streamsExact)
            detail += tr(", streams estimated");
        detail += t.sampled ? tr("; fields sampled (%1 events)").arg(t.sampledEvents) : tr("; fields exact");
        if (!t.drift.empty())
            detail += tr("; %n drift flag(s)", nullptr, int(t.drift.size()));
        QStringList other; // payloads that are not JSON objects, with their encoding
        for (const PayloadKindStats& k : t.payloads) {
            if (k.kind != QLatin1String("object"))
                other.append(QStringLiteral("%1 %2 (%3)").arg(k.kind).arg(k.count).arg(k.encoding));
        }
        if (!other.isEmpty())
            detail += tr("; payloads: %1").arg(other.join(QStringLiteral(", ")));
        return detail;
    }
    }
    return {};
}

QVariant TypeCatalogModel::sectionData(const TypeSummary& t, int section, int column, int role) const
{
    if (role == TypeRole)
        return t.type;
    if (role == SampledRole)
        return t.sampled;
    if (role == SortRole)
        return section;
    if (role != Qt::DisplayRole || column != NameColumn)
        return {};
    static const char* names[] = { "Fields (%1)", "Shapes (%1)", "Drift (%1)" };
    const qsizetype n = section == FieldsSection ? qsizetype(t.fields.size())
        : section == ShapesSection               ? qsizetype(t.shapes.size())
                                                 : qsizetype(t.drift.size());
    return tr(names[section]).arg(n);
}

QVariant TypeCatalogModel::itemData(const TypeSummary& t, int section, int row, int column, int role) const
{
    if (role == TypeRole)
        return t.type;
    if (role == SampledRole)
        return t.sampled;
    const bool sort = role == SortRole;
    const int valueRole = sort ? SortRole : Qt::DisplayRole;
    if (section == FieldsSection) {
        const FieldStats& f = t.fields[size_t(row)];
        if (role == PathRole)
            return f.path;
        // Events of the type without the path: the sample's while fields are sampled.
        const qint64 lacking = std::max<qint64>(0, (t.sampled ? t.sampledEvents : t.count) - f.count);
        const bool missing = column == DetailColumn && lacking > 0;
        if (role == PositionRole)
            return missing ? t.firstPosition : f.firstPosition();
        if (role == FilterRole)
            return QStringLiteral("%1 %2").arg(f.path, missing ? QStringLiteral("missing") : QStringLiteral("exists"));
        if (role == Qt::ToolTipRole && column == DetailColumn && !f.topValues.empty()) {
            QStringList top;
            for (const ValueCount& v : f.topValues)
                top.append(QStringLiteral("%1 × %2").arg(v.value).arg(v.count));
            return tr("Most frequent (sample): %1").arg(top.join(QStringLiteral(", ")));
        }
        if (role != Qt::DisplayRole && !sort)
            return {};
        switch (column) {
        case NameColumn:
            return f.path;
        case CountColumn:
            return count(f.count, valueRole);
        case FirstColumn:
            return count(f.firstPosition(), valueRole);
        case LastColumn:
            return count(f.lastPosition(), valueRole);
        case DetailColumn: {
            QString detail = typesText(f);
            if (f.minNumber)
                detail += tr("; %1 to %2")
                              .arg(QString::number(*f.minNumber, 'g', 15), QString::number(*f.maxNumber, 'g', 15));
            if (f.minLength >= 0)
                detail += tr("; length %1-%2").arg(f.minLength).arg(f.maxLength);
            // When sampled, the counts are the sample's while the distinct estimate is scaled to the whole type:
            // say so, or "1 ... ~6 distinct" reads as a contradiction.
            if (f.distinctEstimate >= 0)
                detail += t.sampled ? tr("; ~%1 distinct in all %2 events").arg(f.distinctEstimate).arg(t.count)
                                    : tr("; %1 distinct").arg(f.distinctEstimate);
            if (!t.sampled && m_catalog->countsExact && lacking > 0)
                detail += tr("; %L1 events have no %2").arg(lacking).arg(f.path);
            return t.sampled ? QString(detail + tr(" (counts from a sample of %1)").arg(t.sampledEvents)) : detail;
        }
        }
        return {};
    }
    if (section == ShapesSection) {
        const ShapeStats& s = t.shapes[size_t(row)];
        if (role == PositionRole)
            return s.firstPosition;
        if (role != Qt::DisplayRole && !sort)
            return {};
        switch (column) {
        case NameColumn:
            if (sort)
                return s.firstPosition; // shapes in the order they appeared
            return QString(u'{' + s.fields.join(QStringLiteral(", ")) + u'}');
        case CountColumn:
            return count(s.count, valueRole);
        case FirstColumn:
            return count(s.firstPosition, valueRole);
        case LastColumn:
            return count(s.lastPosition, valueRole);
        case DetailColumn:
            return t.sampled ? tr("sampled") : tr("exact");
        }
        return {};
    }
    const DriftFlag& d = t.drift[size_t(row)];
    if (role == PathRole)
        return d.path;
    if (role == PositionRole) {
        // Where the events without the field begin.
        if (d.kind == DriftFlag::Kind::FieldAppeared)
            return t.firstPosition;
        return d.kind == DriftFlag::Kind::FieldVanished ? d.position + 1 : d.position;
    }
    if (role == FilterRole) {
        // The events the flag is about: those without the field, before it appeared or after it vanished.
        if (d.kind == DriftFlag::Kind::FieldAppeared || d.kind == DriftFlag::Kind::FieldVanished)
            return QStringLiteral("%1 missing").arg(d.path);
        return QString();
    }
    if (role == Qt::ToolTipRole)
        return d.description;
    if (role != Qt::DisplayRole && !sort)
        return {};
    switch (column) {
    case NameColumn:
        return sort ? QVariant(d.position) : QVariant(driftKindName(d.kind));
    case FirstColumn:
        return count(d.position, valueRole);
    case DetailColumn:
        return t.sampled ? QString(d.description + tr(" (sampled)")) : d.description;
    }
    return {};
}

} // namespace es
