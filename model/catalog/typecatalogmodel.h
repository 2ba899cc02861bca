#pragma once

#include "catalog/typecatalog.h"

#include <QAbstractItemModel>

#include <memory>

namespace es {

// The type catalog as a tree: types, under each its Fields, Shapes and Drift, under those one row each. A snapshot
// model: setCatalog() resets it in one step. Columns: name, events, streams, rate, first, last, detail.
class TypeCatalogModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        CountColumn,
        StreamsColumn,
        RateColumn, // a type's rate over time: RateRole, drawn as a sparkline
        FirstColumn,
        LastColumn,
        DetailColumn,
        ColumnCount
    };
    enum Section { FieldsSection, ShapesSection, DriftSection, SectionCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // numbers as numbers
        TypeRole, // the event type of the row
        PathRole, // a field's path, or a drift flag's
        PositionRole, // where the row points: a field's or shape's first position, a flag's position
        FilterRole, // a filter condition that selects the row's events ("data.firstName exists"), or empty
        SampledRole, // whether the row's figures come from a sample
        RateRole, // a type's events per bucket (QVariantList of qint64), on every bucket of the catalog's span
        EstimatedRole, // whether the row's count is an estimate
    };

    explicit TypeCatalogModel(QObject* parent = nullptr);

    void setCatalog(std::shared_ptr<const TypeCatalog> catalog);
    std::shared_ptr<const TypeCatalog> catalog() const { return m_catalog; }

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    // An index's internal id names its parent: 0 for a type, type + 1 for a section, and for an item its type and
    // section with the top bit set.
    static constexpr quintptr ItemBit = quintptr(1) << (sizeof(quintptr) * 8 - 1);
    int itemCount(int type, int section) const;
    QVariant typeData(const TypeSummary& t, int column, int role) const;
    QVariant sectionData(const TypeSummary& t, int section, int column, int role) const;
    QVariant itemData(const TypeSummary& t, int section, int row, int column, int role) const;

    std::shared_ptr<const TypeCatalog> m_catalog;
};

} // namespace es
