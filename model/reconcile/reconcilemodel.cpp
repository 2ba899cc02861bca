#include "reconcile/reconcilemodel.h"

#include "export/csvcell.h"
#include "fold/reducer.h"

#include <QJsonDocument>

namespace es {

namespace {

QString valueText(const QJsonValue& v)
{
    if (v.isUndefined())
        return QStringLiteral("—");
    if (v.isString())
        return v.toString();
    return QString::fromUtf8(toJsonText(v));
}

} // namespace

ReconcileModel::ReconcileModel(QObject* parent)
    : QAbstractTableModel(parent)
{ }

void ReconcileModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

void ReconcileModel::append(const ReconcileRows& rows)
{
    if (rows.empty())
        return;
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(rows.size()) - 1);
    m_rows.insert(m_rows.end(), rows.begin(), rows.end());
    endInsertRows();
}

int ReconcileModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ReconcileModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ReconcileModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size()))
        return {};
    const ReconcileRow& r = m_rows[size_t(index.row())];
    if (role == StatusRole)
        return int(r.status);
    if (role == Qt::ToolTipRole)
        return r.note.isEmpty() ? QVariant() : QVariant(r.note);
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (index.column()) {
    case StatusColumn:
        return role == SortRole ? QVariant(int(r.status)) : QVariant(reconcileStatusName(r.status));
    case KeyColumn:
        return r.key;
    case StreamColumn:
        return r.stream;
    case MatchColumn:
        if (role == SortRole)
            return r.matchesVersion;
        return r.matchText();
    case DifferencesColumn: {
        if (r.status == ReconcileStatus::Ok)
            return QString();
        QStringList parts;
        for (const ColumnValues& c : r.columns)
            parts.append(QStringLiteral("%1: %2 ≠ %3").arg(c.column, valueText(c.table), valueText(c.replayed)));
        return parts.join(QStringLiteral("; "));
    }
    default:
        return {};
    }
}

QVariant ReconcileModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case StatusColumn:
        return tr("Status");
    case KeyColumn:
        return tr("Key");
    case StreamColumn:
        return tr("Stream");
    case MatchColumn:
        return tr("Replayed state");
    case DifferencesColumn:
        return tr("Columns: table ≠ replayed");
    default:
        return {};
    }
}

QByteArray reconcileJsonLines(const ReconcileRows& rows)
{
    QByteArray out;
    for (const ReconcileRow& r : rows)
        out += QJsonDocument(r.toJson()).toJson(QJsonDocument::Compact) + '\n';
    return out;
}

QByteArray reconcileCsv(const ReconcileRows& rows)
{
    QByteArray out("key,stream,status,matchesVersion,matchesPosition,lastVersion,column,table,replayed,note\r\n");
    auto number = [](qint64 v) { return v >= 0 ? QByteArray::number(v) : QByteArray(); };
    auto json = [](const QJsonValue& v) { return v.isUndefined() ? QByteArray() : toJsonText(v); };
    for (const ReconcileRow& r : rows) {
        const auto line = [&](const ColumnValues* c) {
            const QByteArray cells[]
                = { r.key.toUtf8(), r.stream.toUtf8(), reconcileStatusName(r.status).toUtf8(), number(r.matchesVersion),
                      number(r.matchesPosition), number(r.lastVersion), c ? c->column.toUtf8() : QByteArray(),
                      c ? json(c->table) : QByteArray(), c ? json(c->replayed) : QByteArray(), r.note.toUtf8() };
            bool first = true;
            for (const QByteArray& cell : cells) {
                if (!first)
                    out += ',';
                first = false;
                appendCsvCell(out, cell, true);
            }
            out += "\r\n";
        };
        if (r.columns.empty())
            line(nullptr);
        for (const ColumnValues& c : r.columns)
            line(&c);
    }
    return out;
}

} // namespace es
