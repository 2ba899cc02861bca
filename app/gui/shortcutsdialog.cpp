#include "shortcutsdialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <tuple>

namespace es {

namespace {

QString plain(QString text)
{
    text.replace(QLatin1String("&&"), QStringLiteral("\x01"));
    text.remove(u'&');
    text.replace(u'\x01', u'&');
    if (text.endsWith(u'…'))
        text.chop(1);
    return text.trimmed();
}

// The menu path of an action ("Go › Flows"), or the name of the widget it is attached to.
QString whereOf(const QAction* action)
{
    for (QObject* object : action->associatedObjects()) {
        if (auto* menu = qobject_cast<QMenu*>(object)) {
            QStringList path { plain(menu->title()) };
            for (QAction* up = menu->menuAction(); up;) {
                QMenu* parentMenu = nullptr;
                for (QObject* o : up->associatedObjects()) {
                    if ((parentMenu = qobject_cast<QMenu*>(o)))
                        break;
                }
                if (!parentMenu)
                    break;
                path.prepend(plain(parentMenu->title()));
                up = parentMenu->menuAction();
            }
            path.removeAll(QString());
            if (!path.isEmpty())
                return path.join(QStringLiteral(" › "));
        }
    }
    const QObject* owner = action->parent();
    if (auto* widget = qobject_cast<const QWidget*>(owner); widget && !widget->windowTitle().isEmpty())
        return widget->windowTitle();
    return QObject::tr("Window");
}

} // namespace

QList<ShortcutsDialog::Entry> ShortcutsDialog::collect(QWidget* window)
{
    QList<Entry> entries;
    QSet<const QAction*> seen;
    QList<QAction*> actions = window->findChildren<QAction*>();
    actions += window->actions();
    for (const QAction* action : std::as_const(actions)) {
        if (seen.contains(action) || action->shortcuts().isEmpty() || action->isSeparator())
            continue;
        seen.insert(action);
        QStringList keys;
        for (const QKeySequence& key : action->shortcuts())
            keys.append(key.toString(QKeySequence::NativeText));
        entries.append({ plain(action->text()), keys.join(QStringLiteral(", ")), whereOf(action) });
    }
    std::sort(entries.begin(), entries.end(),
        [](const Entry& a, const Entry& b) { return std::tie(a.where, a.action) < std::tie(b.where, b.action); });
    return entries;
}

ShortcutsDialog::ShortcutsDialog(QWidget* window, QWidget* parent)
    : QDialog(parent)
    , m_search(new QLineEdit(this))
    , m_table(new QTableView(this))
    , m_proxy(new QSortFilterProxyModel(this))
{
    setObjectName(QStringLiteral("shortcutsDialog"));
    setWindowTitle(tr("Keyboard Shortcuts"));
    auto* model = new QStandardItemModel(0, 3, this);
    model->setHorizontalHeaderLabels({ tr("Action"), tr("Shortcut"), tr("Menu") });
    for (const Entry& e : collect(window)) {
        QList<QStandardItem*> row { new QStandardItem(e.action), new QStandardItem(e.shortcut),
            new QStandardItem(e.where) };
        for (QStandardItem* item : row)
            item->setEditable(false);
        model->appendRow(row);
    }
    m_proxy->setSourceModel(model);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_search->setObjectName(QStringLiteral("shortcutSearch"));
    m_search->setPlaceholderText(tr("Search actions, keys or menus"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(2, Qt::AscendingOrder);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_search);
    layout->addWidget(m_table, 1);
    layout->addWidget(buttons);
    resize(620, 520);
}

int ShortcutsDialog::visibleRows() const
{
    return m_proxy->rowCount();
}

} // namespace es
