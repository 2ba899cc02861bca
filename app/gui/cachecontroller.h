#pragma once

#include <QObject>

class QAction;
class QWidget;

namespace es {

// Tools › Clear Cache: the local summary cache's size in the action's text, a confirmation naming the file, and the
// clearing itself off the GUI thread (a VACUUM can take a moment on a large cache).
class CacheController : public QObject {
    Q_OBJECT
public:
    explicit CacheController(QWidget* window);

    QAction* clearAction() const { return m_clear; }
    // The cache file and its WAL, in bytes (file sizes only: no database is opened).
    static qint64 cacheBytes();
    // Clears without asking; cleared() follows.
    void clearNow();

Q_SIGNALS:
    void cleared(const QString& message);

private:
    void updateText();
    void confirmAndClear();

    QWidget* m_window;
    QAction* m_clear;
};

} // namespace es
