#pragma once

#include "casefile/casefile.h"
#include "export/exportjob.h" // Q_DECLARE_METATYPE(es::ExportResult)
#include "store/eventstore.h"

#include <QObject>
#include <QPointer>

class QDockWidget;
class QListWidget;
class QMenu;

namespace es {

class MainWindow;

// Case files in the main window: File › Save Case… (which events, redaction, the current event as a bookmark with a
// note) written as a job on a lane of its own, and, when the open store is a case file, a "Case" dock listing its
// places; activating one jumps there.
class CaseController : public QObject {
    Q_OBJECT
public:
    explicit CaseController(MainWindow* window);

    // Adds Save Case… to the menu.
    void addActions(QMenu* fileMenu);
    void saveCaseDialog();
    // Writes a case of the open store (as the dialog does, without it). Emits caseSaved or caseFailed.
    void saveCase(const CaseOptions& options);
    QDockWidget* dock() const { return m_dock; }
    const CaseContents& contents() const { return m_contents; }
    void jumpTo(const CasePlace& place);

Q_SIGNALS:
    void caseSaved(const es::ExportResult& result);
    void caseFailed(const QString& message);
    void placesShown(int count);

private:
    void storeOpened(const StoreInfo& info);

    MainWindow* m_window;
    QDockWidget* m_dock;
    QListWidget* m_places;
    CaseContents m_contents;
};

} // namespace es
