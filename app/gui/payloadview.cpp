#include "payloadview.h"

#include "models/jsontreemodel.h"

#include <QApplication>
#include <QButtonGroup>
#include <QClipboard>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonValue>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QStackedWidget>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace es {

namespace {

// Pretty text for a big payload is capped so a 5 MB event does not stall the inspector.
constexpr qsizetype MaxTextChars = 2 * 1024 * 1024;

QToolButton* makeButton(const QString& text, const QString& toolTip, QWidget* parent)
{
    auto* b = new QToolButton(parent);
    b->setText(text);
    b->setToolTip(toolTip);
    b->setAutoRaise(true);
    return b;
}

} // namespace

PayloadView::PayloadView(const QString& rootName, QWidget* parent)
    : QWidget(parent)
    , m_rootName(rootName)
    , m_model(new JsonTreeModel(this))
    , m_note(new QLabel(this))
    , m_treeButton(makeButton(tr("Tree"), tr("Show as a collapsible JSON tree"), this))
    , m_textButton(makeButton(tr("Text"), tr("Show as pretty-printed text"), this))
    , m_copyButton(makeButton(tr("Copy"), tr("Copy the payload (or the selected value) to the clipboard"), this))
    , m_copyPathButton(makeButton(tr("Copy path"), tr("Copy the path of the selected value, e.g. data.amount"), this))
    , m_stack(new QStackedWidget(this))
    , m_tree(new QTreeView(this))
    , m_text(new QPlainTextEdit(this))
{
    setObjectName(rootName + QStringLiteral("View"));
    m_tree->setObjectName(rootName + QStringLiteral("Tree"));
    m_text->setObjectName(rootName + QStringLiteral("Text"));
    m_note->setObjectName(rootName + QStringLiteral("Note"));
    m_note->setWordWrap(true);
    m_note->setStyleSheet(QStringLiteral("QLabel { color: #8a5a00; font-style: italic; }"));
    m_note->hide();

    m_treeButton->setCheckable(true);
    m_textButton->setCheckable(true);
    m_treeButton->setChecked(true);
    auto* group = new QButtonGroup(this);
    group->setExclusive(true);
    group->addButton(m_treeButton);
    group->addButton(m_textButton);
    m_copyButton->setIcon(QIcon::fromTheme(QStringLiteral("edit-copy")));
    m_copyButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);

    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(JsonTreeModel::KeyColumn, QHeaderView::Interactive);
    m_tree->header()->setSectionResizeMode(JsonTreeModel::ValueColumn, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(JsonTreeModel::TypeColumn, QHeaderView::ResizeToContents);
    m_tree->header()->resizeSection(JsonTreeModel::KeyColumn, 160);

    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    m_stack->addWidget(m_tree);
    m_stack->addWidget(m_text);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->setSpacing(2);
    bar->addWidget(m_treeButton);
    bar->addWidget(m_textButton);
    bar->addStretch(1);
    bar->addWidget(m_copyPathButton);
    bar->addWidget(m_copyButton);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 2, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(bar);
    layout->addWidget(m_note);
    layout->addWidget(m_stack, 1);

    connect(m_treeButton, &QToolButton::toggled, this, [this](bool on) { setShowTree(on); });
    connect(m_textButton, &QToolButton::toggled, this, [this](bool on) { setShowTree(!on); });
    connect(m_copyButton, &QToolButton::clicked, this, &PayloadView::copyText);
    connect(m_copyPathButton, &QToolButton::clicked, this, &PayloadView::copyPath);
    connect(m_tree, &QTreeView::customContextMenuRequested, this, &PayloadView::showContextMenu);
    setShowTree(true);
}

bool PayloadView::showsTree() const
{
    return m_stack->currentWidget() == m_tree;
}

void PayloadView::setShowTree(bool tree)
{
    const bool json = !m_model->json().isUndefined();
    const bool showTree = tree && json;
    m_stack->setCurrentWidget(showTree ? static_cast<QWidget*>(m_tree) : m_text);
    m_treeButton->setChecked(showTree);
    m_textButton->setChecked(!showTree);
    m_copyPathButton->setEnabled(showTree);
}

QString PayloadView::note() const
{
    return m_note->isHidden() ? QString() : m_note->text();
}

void PayloadView::clear()
{
    m_model->clear();
    m_text->clear();
    m_note->hide();
    m_treeButton->setEnabled(false);
    setShowTree(false);
}

void PayloadView::setPayload(const Payload& payload)
{
    const bool wasTree = m_treeButton->isChecked() || !m_treeButton->isEnabled();
    m_note->hide();
    QString text;
    switch (payload.encoding) {
    case Payload::Encoding::Null:
        m_model->clear();
        m_note->setText(tr("No %1 (NULL in the store).").arg(m_rootName));
        m_note->show();
        break;
    case Payload::Encoding::Json:
        if (!m_model->setJsonText(payload.bytes, m_rootName)) {
            m_note->setText(tr("Marked as JSON but it does not parse; shown as text."));
            m_note->show();
        }
        text = payload.displayText();
        break;
    case Payload::Encoding::Text:
        m_model->clear();
        m_note->setText(tr("Not JSON: shown as UTF-8 text (%n byte(s)).", nullptr, int(payload.bytes.size())));
        m_note->show();
        text = payload.displayText();
        break;
    case Payload::Encoding::Base64:
        m_model->clear();
        m_note->setText(tr(
            "Binary payload (not JSON, not UTF-8): shown as base64 (%n byte(s)).", nullptr, int(payload.bytes.size())));
        m_note->show();
        text = payload.displayText();
        break;
    }
    if (text.size() > MaxTextChars) {
        text.truncate(MaxTextChars);
        text += QLatin1Char('\n') + tr("… (truncated; use Copy for the whole payload)");
    }
    m_text->setPlainText(text);
    const bool json = !m_model->json().isUndefined();
    m_treeButton->setEnabled(json);
    setShowTree(wasTree);
    if (json && m_model->rowCount() <= 50)
        m_tree->expandToDepth(0);
}

void PayloadView::copyText()
{
    QString text;
    const QModelIndex current = m_tree->currentIndex();
    if (showsTree() && current.isValid())
        text = m_model->jsonText(current, true);
    else if (!m_model->json().isUndefined())
        text = m_model->jsonText({}, true);
    else
        text = m_text->toPlainText();
    QApplication::clipboard()->setText(text);
}

void PayloadView::copyPath()
{
    const QModelIndex current = m_tree->currentIndex();
    QApplication::clipboard()->setText(current.isValid() ? m_model->path(current) : m_rootName);
}

QString PayloadView::conditionFor(const QModelIndex& index) const
{
    const QModelIndex valueIndex = index.siblingAtColumn(JsonTreeModel::ValueColumn);
    const QString path = m_model->path(index);
    const QString json = m_model->data(valueIndex, JsonTreeModel::JsonRole).toString();
    const QString type = m_model->data(index.siblingAtColumn(JsonTreeModel::TypeColumn)).toString();
    if (type == QLatin1String("object") || type == QLatin1String("array") || type == QLatin1String("null"))
        return path + QStringLiteral(" exists");
    if (type == QLatin1String("string")) {
        QString value = m_model->data(valueIndex, JsonTreeModel::SortRole).toString();
        value.replace(QLatin1Char('\''), QLatin1String("''"));
        return path + QStringLiteral(" = '") + value + QLatin1Char('\'');
    }
    return path + QStringLiteral(" = ") + json;
}

void PayloadView::showContextMenu(const QPoint& pos)
{
    const QModelIndex index = m_tree->indexAt(pos);
    if (!index.isValid())
        return;
    QMenu menu(this);
    menu.addAction(
        tr("Copy value"), this, [this, index] { QApplication::clipboard()->setText(m_model->jsonText(index, true)); });
    menu.addAction(tr("Copy path"), this, [this, index] { QApplication::clipboard()->setText(m_model->path(index)); });
    menu.addSeparator();
    const QString condition = conditionFor(index);
    menu.addAction(
        tr("Filter events by %1").arg(condition), this, [this, condition] { Q_EMIT filterRequested(condition); });
    menu.addSeparator();
    menu.addAction(tr("Expand all"), m_tree, &QTreeView::expandAll);
    menu.addAction(tr("Collapse all"), m_tree, &QTreeView::collapseAll);
    menu.exec(m_tree->viewport()->mapToGlobal(pos));
}

} // namespace es
