#include "columnchooser.h"

#include "settings.h"

#include <QAbstractItemModel>
#include <QAction>
#include <QHeaderView>
#include <QMenu>

#include <memory>

namespace es {

ColumnChooser::ColumnChooser(QHeaderView* header, const QString& table, QObject* parent)
    : QObject(parent ? parent : header)
    , m_header(header)
    , m_table(table)
{
    setObjectName(QStringLiteral("columnChooser"));
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(header, &QHeaderView::customContextMenuRequested, this, [this](const QPoint& pos) {
        if (!m_header)
            return;
        std::unique_ptr<QMenu> menu(createMenu(m_header));
        menu->exec(m_header->viewport()->mapToGlobal(pos));
    });
    if (QAbstractItemModel* model = header->model()) {
        connect(model, &QAbstractItemModel::modelReset, this, &ColumnChooser::apply);
        connect(model, &QAbstractItemModel::columnsInserted, this, &ColumnChooser::apply);
        connect(model, &QAbstractItemModel::headerDataChanged, this, &ColumnChooser::apply);
    }
    apply();
}

QString ColumnChooser::titleOf(int section) const
{
    QAbstractItemModel* model = m_header ? m_header->model() : nullptr;
    return model ? model->headerData(section, m_header->orientation(), Qt::DisplayRole).toString() : QString();
}

QMenu* ColumnChooser::createMenu(QWidget* parent) const
{
    auto* menu = new QMenu(parent);
    menu->setObjectName(QStringLiteral("columnMenu"));
    if (!m_header)
        return menu;
    const int count = m_header->count();
    int shown = 0;
    for (int section = 0; section < count; ++section)
        shown += m_header->isSectionHidden(section) ? 0 : 1;
    for (int section = 0; section < count; ++section) {
        const QString title = titleOf(section);
        if (title.isEmpty())
            continue;
        QAction* action = menu->addAction(title);
        action->setCheckable(true);
        action->setChecked(!m_header->isSectionHidden(section));
        // The last column shown stays: a table without columns has no header to bring them back.
        action->setEnabled(!(action->isChecked() && shown == 1));
        auto* self = const_cast<ColumnChooser*>(this);
        connect(action, &QAction::toggled, self, [self, section](bool on) { self->setColumnVisible(section, on); });
    }
    menu->addSeparator();
    menu->addAction(tr("Reset Columns"), this, [self = const_cast<ColumnChooser*>(this)] { self->reset(); })
        ->setObjectName(QStringLiteral("resetColumns"));
    return menu;
}

void ColumnChooser::setColumnVisible(int section, bool visible)
{
    if (!m_header || section < 0 || section >= m_header->count())
        return;
    if (!visible && m_header->count() - m_header->hiddenSectionCount() <= 1)
        return;
    m_header->setSectionHidden(section, !visible);
    if (visible && m_header->sectionSize(section) < m_header->minimumSectionSize() * 2)
        m_header->resizeSection(section, m_header->defaultSectionSize());
    save();
}

void ColumnChooser::reset()
{
    if (!m_header)
        return;
    for (int section = 0; section < m_header->count(); ++section) {
        if (m_header->isSectionHidden(section))
            setColumnVisible(section, true);
    }
    Settings::instance()->setHiddenColumns(m_table, {});
}

QStringList ColumnChooser::hiddenTitles() const
{
    QStringList titles;
    for (int section = 0; m_header && section < m_header->count(); ++section) {
        if (m_header->isSectionHidden(section))
            titles.append(titleOf(section));
    }
    return titles;
}

void ColumnChooser::save()
{
    if (!m_applying)
        Settings::instance()->setHiddenColumns(m_table, hiddenTitles());
}

void ColumnChooser::apply()
{
    if (!m_header)
        return;
    m_applying = true;
    const QStringList hidden = Settings::instance()->hiddenColumns(m_table);
    int shown = m_header->count();
    for (int section = 0; section < m_header->count(); ++section) {
        const bool hide = hidden.contains(titleOf(section)) && shown > 1;
        if (hide != m_header->isSectionHidden(section))
            m_header->setSectionHidden(section, hide);
        shown -= hide ? 1 : 0;
    }
    m_applying = false;
}

} // namespace es
