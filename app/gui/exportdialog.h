#pragma once

#include "export/exporter.h"
#include "export/exportjob.h"
#include "store/storeregistry.h"

#include <QDialog>
#include <QPointer>

#include <vector>

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressDialog;
class QRadioButton;

namespace es {

// File › Export…: what to export (the view's filter, the selected rows, a stream, the global log), the format, the
// file and fields to redact; then runs the export with a progress dialog and reports the outcome.
class ExportDialog : public QDialog {
    Q_OBJECT
public:
    enum class Scope { View, Selection, Stream, All };

    struct Context {
        QPointer<StoreSession> session;
        QString storeName;
        EventFilter viewFilter; // the event table's scope and filter bar
        QString viewDescription;
        std::vector<qint64> selectedKeys; // keys as in viewFilter
        QString stream; // the stream in view or of the selected event; empty when none
    };

    explicit ExportDialog(Context context, QWidget* parent = nullptr);
    ~ExportDialog() override;

    void setScope(Scope scope);
    Scope scope() const;
    void setFormat(const QString& format);
    QString format() const;
    void setFilePath(const QString& path);
    QString filePath() const;
    void setRedactPaths(const QString& paths);
    // What would be exported now; overwrite is set after the user confirmed it.
    ExportOptions options() const;

    // Validates, asks before replacing a file, and starts the export (accept() also does this).
    bool startExport();
    ExportJob* job() const { return m_job; }

    void accept() override;

Q_SIGNALS:
    // A one-line outcome for the status bar.
    void exportEnded(const QString& message, bool success);

private:
    void browse();
    void formatChanged();
    void updateProgress(const ExportProgress& p);
    void ended(const QString& message, bool success);

    Context m_context;
    QButtonGroup* m_scopes;
    QComboBox* m_format;
    QLineEdit* m_file;
    QLineEdit* m_redact;
    QComboBox* m_nonJson;
    QCheckBox* m_keepFormulas;
    QLabel* m_error;
    bool m_overwrite = false;
    QPointer<ExportJob> m_job;
    QPointer<QProgressDialog> m_progress;
};

} // namespace es
