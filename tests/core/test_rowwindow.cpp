#include <catch2/catch.hpp>

#include "models/rowwindowmodel.h"

#include <QAbstractItemModelTester>
#include <QAbstractTableModel>
#include <QPersistentModelIndex>

#include <vector>

using namespace es;

namespace {

// Rows holding numbers, inserted and removed the way a table model announces them.
class Numbers : public QAbstractTableModel {
public:
    explicit Numbers(int rows)
    {
        for (int i = 0; i < rows; ++i)
            m_values.push_back(i);
    }
    int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : int(m_values.size()); }
    int columnCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : 2; }
    QVariant data(const QModelIndex& index, int role) const override
    {
        if (!index.isValid() || role != Qt::DisplayRole)
            return {};
        return m_values[std::size_t(index.row())];
    }
    void insert(int at, int n, int firstValue)
    {
        beginInsertRows({}, at, at + n - 1);
        for (int i = 0; i < n; ++i)
            m_values.insert(m_values.begin() + at + i, firstValue + i);
        endInsertRows();
    }
    void remove(int at, int n)
    {
        beginRemoveRows({}, at, at + n - 1);
        m_values.erase(m_values.begin() + at, m_values.begin() + at + n);
        endRemoveRows();
    }
    void reset(int rows)
    {
        beginResetModel();
        m_values.clear();
        for (int i = 0; i < rows; ++i)
            m_values.push_back(i);
        endResetModel();
    }

private:
    std::vector<int> m_values;
};

int valueAt(const RowWindowModel& window, int row)
{
    return window.index(row, 0).data().toInt();
}

} // namespace

TEST_CASE("a row window shows a bounded run of the source's rows and moves over them", "[rowwindow]")
{
    Numbers source(1000);
    RowWindowModel window;
    QAbstractItemModelTester tester(&window, QAbstractItemModelTester::FailureReportingMode::Fatal);
    window.setCapacity(100);
    window.setSourceModel(&source);
    CHECK(window.rowCount() == 100);
    CHECK(window.columnCount() == 2);
    CHECK(valueAt(window, 0) == 0);

    // A persistent index (a view's current row) follows its row while it stays inside, and is invalid outside.
    window.moveTo(400);
    CHECK(window.first() == 400);
    CHECK(valueAt(window, 0) == 400);
    CHECK(window.mapToSource(window.index(5, 1)) == source.index(405, 1));
    CHECK(window.mapFromSource(source.index(399, 0)) == QModelIndex());
    const QPersistentModelIndex inside = window.index(60, 0);
    const QPersistentModelIndex leaving = window.index(2, 0);
    window.moveTo(450);
    CHECK(inside.row() == 10);
    CHECK(inside.data().toInt() == 460);
    CHECK_FALSE(leaving.isValid());

    // Clamped so the window stays full.
    window.moveTo(990);
    CHECK(window.first() == 900);
    CHECK(window.rowCount() == 100);
    CHECK(valueAt(window, 99) == 999);
    window.moveTo(-5);
    CHECK(window.first() == 0);
}

TEST_CASE("a row window keeps its row numbers when the source inserts or removes rows", "[rowwindow]")
{
    Numbers source(10);
    RowWindowModel window;
    QAbstractItemModelTester tester(&window, QAbstractItemModelTester::FailureReportingMode::Fatal);
    window.setCapacity(100);
    window.setSourceModel(&source);
    CHECK(window.rowCount() == 10);

    // Appended rows fill the window up to its capacity, the rest stay outside.
    source.insert(10, 500, 10);
    CHECK(window.rowCount() == 100);
    CHECK(valueAt(window, 99) == 99);

    window.moveTo(200);
    const QPersistentModelIndex current = window.index(50, 0);
    REQUIRE(current.data().toInt() == 250);
    // Rows inserted before the window push its rows down: the current row moves down with its event.
    source.insert(0, 3, -3);
    CHECK(window.first() == 200);
    CHECK(valueAt(window, 0) == 197);
    CHECK(current.row() == 53);
    CHECK(current.data().toInt() == 250);
    // Inside the window: inserted where they are, the window's last rows leave it.
    source.insert(210, 2, 1000);
    CHECK(window.rowCount() == 100);
    CHECK(valueAt(window, 10) == 1000);
    CHECK(current.data().toInt() == 250);
    // After a full window: nothing changes in it.
    source.insert(source.rowCount(), 5, 2000);
    CHECK(valueAt(window, 99) == source.index(299, 0).data().toInt());

    // Removed before the window: its rows move up and the next ones come in at the end.
    source.remove(0, 3);
    CHECK(window.rowCount() == 100);
    CHECK(valueAt(window, 0) == 200);
    CHECK(current.data().toInt() == 250);
    // Removed inside it.
    source.remove(205, 10);
    CHECK(window.rowCount() == 100);
    CHECK(valueAt(window, 5) == source.index(205, 0).data().toInt());

    // The source shrinks below the window's start: it starts over where the rows are.
    source.remove(50, source.rowCount() - 50);
    CHECK(window.rowCount() == 50);
    CHECK(window.first() == 0);
    source.reset(7);
    CHECK(window.rowCount() == 7);
}

TEST_CASE("a row window moves only when the viewport nears its inner edges", "[rowwindow]")
{
    // 10M rows, 8192 in the window, 40 on screen.
    const int total = 10'000'000;
    CHECK(RowWindowModel::placement(0, 40, 0, 8192, total, 8192) == 0);
    CHECK(RowWindowModel::placement(5000, 40, 0, 8192, total, 8192) == 0);
    // Within a quarter of the window from its end: centred on the viewport.
    CHECK(RowWindowModel::placement(7000, 40, 0, 8192, total, 8192) == 7020 - 4096);
    // A jump far away: centred there.
    CHECK(RowWindowModel::placement(5'000'000, 40, 0, 8192, total, 8192) == 5'000'020 - 4096);
    // At the end of the source the window stays against it.
    CHECK(RowWindowModel::placement(total - 40, 40, total - 8192, 8192, total, 8192) == total - 8192);
    CHECK(RowWindowModel::placement(total - 40, 40, 0, 8192, total, 8192) == total - 8192);
    // A source that fits in the window never moves it.
    CHECK(RowWindowModel::placement(3000, 40, 0, 5000, 5000, 8192) == 0);
}
