#pragma once

#include "mapping/mappingproposal.h"
#include "store/eventstore.h"

#include <QDialog>
#include <QPointer>
#include <QTemporaryDir>

#include <memory>

class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;
class QTreeWidget;

namespace es {

class StoreSession;

// The mapping wizard: for a database no profile matches, lists its tables (columns, types, row estimates), proposes
// the events table and each role with its reason (editable), the correlation keys, the warnings, and previews the
// first events as the mapping reads them. "Save and open" writes the mapping file; mappingFile() names it.
class MappingWizard : public QDialog {
    Q_OBJECT
public:
    MappingWizard(const QString& address, const OpenOptions& options, QWidget* parent = nullptr);
    ~MappingWizard() override;

    // The saved mapping file (after Save and open).
    QString mappingFile() const { return m_savedFile; }
    const MappingProposal& proposal() const { return m_proposal; }
    const DatabaseSchema& schema() const { return m_schema; }
    // The preview's events (for tests): position, stream, version, type per row.
    QStringList previewRows() const;
    bool isLoading() const { return m_loading; }

    // Asks whether to build a mapping for a store that matched no profile; true when the wizard saved one (then
    // *mappingFile names it).
    static bool offer(QWidget* parent, const QString& address, const OpenOptions& options, QString* mappingFile);

Q_SIGNALS:
    void described();
    void previewed();

private:
    void setSchema(const DatabaseSchema& schema);
    void chooseTable();
    void showProposal();
    void readEdits();
    void preview();
    void showPreview(const EventList& events);
    void showPreviewFailure(const QString& message);
    bool save(const QString& path);
    void saveAs();
    void saveAndOpen();
    QString writeTemporary();

    QString m_address;
    OpenOptions m_options;
    DatabaseSchema m_schema;
    MappingProposal m_proposal;
    QString m_savedFile;
    bool m_loading = true;
    bool m_showing = false;
    QTemporaryDir m_temp;
    int m_previewCount = 0;
    QPointer<StoreSession> m_previewSession;

    QLabel* m_status;
    QTreeWidget* m_tables;
    QTableWidget* m_roles;
    QLineEdit* m_correlation;
    QLineEdit* m_causation;
    QLabel* m_warnings;
    QTableWidget* m_preview;
    QLabel* m_previewStatus;
    QLineEdit* m_name;
    QPushButton* m_saveOpen;
};

} // namespace es
