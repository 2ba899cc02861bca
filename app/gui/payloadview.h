#pragma once

#include "core/jsontext.h"
#include "core/payload.h"
#include "store/job.h"
#include "store/storesession.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QStackedWidget;
class QTimer;
class QToolButton;
class QTreeView;

namespace es {

class JsonTreeModel;

// One payload (data or metadata): a collapsible JSON tree or pretty text, with copy actions.
// Payloads that are not JSON show as text or base64 with a note saying so.
// A big payload never stalls the window: the text view shows its first TextHeadBytes at once ("Show all" adds the
// rest in slices between events), and JSON is checked as a job on the session's lane while a busy bar runs; the tree
// then reads the text lazily (JsonTreeModel).
class PayloadView : public QWidget {
    Q_OBJECT
public:
    static constexpr qsizetype SyncBytes = 512 * 1024; // JSON up to this size is checked at once
    static constexpr qsizetype TextHeadBytes = 256 * 1024;
    static constexpr qsizetype MaxTextBytes = 64 * 1024 * 1024; // "Show all" shows at most this much

    explicit PayloadView(const QString& rootName, QWidget* parent = nullptr);

    // Where big payloads are read; without a session they are read here, on the GUI thread.
    void setSession(StoreSession* session, StoreSession::Lane lane);
    void setPayload(const Payload& payload);
    void clear();
    // Shows the whole text (up to MaxTextBytes), appended in slices.
    void showAllText();
    // A check of the JSON or a "Show all" is still running.
    bool isLoading() const;
    bool isTextTruncated() const { return m_textTruncated; }

    JsonTreeModel* treeModel() const { return m_model; }
    QTreeView* treeView() const { return m_tree; }
    QPlainTextEdit* textView() const { return m_text; }
    QString note() const;
    bool showsTree() const;
    void setShowTree(bool tree);

Q_SIGNALS:
    // A condition such as data.amount = 120 the user asked to filter by.
    void filterRequested(const QString& condition);
    void loadingChanged(bool loading);

private:
    struct FullText {
        QString text;
        bool truncated = false;
    };
    void stopWork();
    void showJson(const QByteArray& text, const jsontext::Index& index);
    void showStatus(const QString& text, int percent = -1);
    void updateTruncation();
    void appendSlice();
    void setLoading(bool loading);

    void copyText();
    void copyPath();
    void showContextMenu(const QPoint& pos);
    QString conditionFor(const QModelIndex& index) const;

    QString m_rootName;
    QPointer<StoreSession> m_session;
    StoreSession::Lane m_lane = StoreSession::Lane::Background;
    Payload m_payload;
    Generation m_generation;
    JobId m_job = 0;
    bool m_loading = false;
    bool m_preferTree = true;
    bool m_textTruncated = false;
    bool m_shownAll = false; // "Show all" ran for this payload
    QString m_pendingText; // "Show all": what is still to be appended
    qsizetype m_pendingAt = 0;
    bool m_pendingTruncated = false;
    QTimer* m_appendTimer;
    JsonTreeModel* m_model;
    QLabel* m_note;
    QWidget* m_status;
    QLabel* m_statusText;
    QProgressBar* m_progress;
    QToolButton* m_showAllButton;
    QToolButton* m_treeButton;
    QToolButton* m_textButton;
    QToolButton* m_copyButton;
    QToolButton* m_copyPathButton;
    QStackedWidget* m_stack;
    QTreeView* m_tree;
    QPlainTextEdit* m_text;
};

} // namespace es
