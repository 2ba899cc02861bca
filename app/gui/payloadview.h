#pragma once

#include "core/payload.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QStackedWidget;
class QToolButton;
class QTreeView;

namespace es {

class JsonTreeModel;

// One payload (data or metadata): a collapsible JSON tree or pretty text, with copy actions.
// Payloads that are not JSON show as text or base64 with a note saying so.
class PayloadView : public QWidget {
    Q_OBJECT
public:
    explicit PayloadView(const QString& rootName, QWidget* parent = nullptr);

    void setPayload(const Payload& payload);
    void clear();

    JsonTreeModel* treeModel() const { return m_model; }
    QTreeView* treeView() const { return m_tree; }
    QPlainTextEdit* textView() const { return m_text; }
    QString note() const;
    bool showsTree() const;
    void setShowTree(bool tree);

Q_SIGNALS:
    // A condition such as data.amount = 120 the user asked to filter by.
    void filterRequested(const QString& condition);

private:
    void copyText();
    void copyPath();
    void showContextMenu(const QPoint& pos);
    QString conditionFor(const QModelIndex& index) const;

    QString m_rootName;
    JsonTreeModel* m_model;
    QLabel* m_note;
    QToolButton* m_treeButton;
    QToolButton* m_textButton;
    QToolButton* m_copyButton;
    QToolButton* m_copyPathButton;
    QStackedWidget* m_stack;
    QTreeView* m_tree;
    QPlainTextEdit* m_text;
};

} // namespace es
