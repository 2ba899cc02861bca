#pragma once

#include "diff/diffjob.h"

#include <QPointer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableView;

namespace es {

class DiffChangesModel;
class DiffStreamsModel;

// The Diff window: the open store (A) compared with a second one (B), whole or one stream or category, or one stream
// of A with another stream (of B, or of A itself when no second store is named). Counts per
// stream, the list of changes, and a side-by-side JSON view of the selected change with the lines that differ
// marked. The comparison is a DiffJob on A's session: progress and cancel.
class DiffWindow : public QWidget {
    Q_OBJECT
public:
    explicit DiffWindow(StoreSession* session, QWidget* parent = nullptr);
    ~DiffWindow() override;

    void setOther(const QString& address);
    // kind: 0 whole store, 1 stream, 2 category, 3 stream `name` against stream `nameB`
    void setScope(int kind, const QString& name, const QString& nameB = {});
    void start();
    void cancel();
    bool isRunning() const { return m_job != nullptr; }
    const DiffChangesModel* changes() const { return m_changes; }
    const DiffStreamsModel* streams() const { return m_streams; }

Q_SIGNALS:
    void diffEnded(bool succeeded);

private:
    void browse();
    void showChange(int row);
    void finished(const DiffResult& result);
    void ended(const QString& message, bool succeeded);

    QPointer<StoreSession> m_session;
    DiffJob* m_job = nullptr;
    QLineEdit* m_other;
    QComboBox* m_scopeKind;
    QLineEdit* m_scopeName;
    QLineEdit* m_streamB;
    QPushButton* m_compare;
    QProgressBar* m_progress;
    QLabel* m_summary;
    DiffStreamsModel* m_streams;
    DiffChangesModel* m_changes;
    QTableView* m_streamTable;
    QTableView* m_changeTable;
    QLabel* m_paths;
    QPlainTextEdit* m_a;
    QPlainTextEdit* m_b;
};

} // namespace es
