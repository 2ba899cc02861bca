#pragma once

#include "casefile/casefile.h"
#include "export/exportjob.h" // Q_DECLARE_METATYPE(es::ExportResult)
#include "nav/savedplaces.h"
#include "store/eventstore.h"

#include <QObject>
#include <QPointer>

class QDockWidget;
class QListWidget;
class QMenu;

namespace es {

class MainWindow;

// Case files in the main window: File › Save Case… (which events, redaction, the current event as a bookmark with a
// note, the store's saved views, the reducer time travel uses) written as a job on a lane of its own, and, when the
// open store is a case file, a "Case" dock listing its places, views and reducer; activating one goes there. Opening
// a case restores its saved views (the Places dock lists them for the case file) and time travel on it starts with
// the case's reducer.
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
    // The reducer time travel on the open case starts with (a ReducerCatalog key); empty when it is no case or names
    // none.
    const QString& reducerKey() const { return m_reducerKey; }
    // Adds the open store's saved views (withViews) and the reducer a catalog key names (none when empty) to a case's
    // contents, as the dialog does. False and *error when the reducer cannot be read.
    bool addViewsAndReducer(CaseContents* contents, bool withViews, const QString& reducerKey, QString* error) const;

Q_SIGNALS:
    void caseSaved(const es::ExportResult& result);
    void caseFailed(const QString& message);
    void placesShown(int count);

private:
    void storeOpened(const StoreInfo& info);
    void showContents(CaseContents contents);
    void activated(int row);
    QString currentStore() const;

    MainWindow* m_window;
    QDockWidget* m_dock;
    QListWidget* m_places;
    CaseContents m_contents;
    QList<SavedView> m_views; // the case's views, re-pointed to the case file
    QString m_reducerKey;
};

} // namespace es
