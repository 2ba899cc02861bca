#pragma once

#include <QWidget>

class QLabel;
class QListWidget;
class QListWidgetItem;
class QPushButton;

namespace es {

// What the main window shows while no store is open: the recent stores and the ways to open one, so a first run
// starts with something to do rather than three empty panes.
class StartPage : public QWidget {
    Q_OBJECT
public:
    explicit StartPage(QWidget* parent = nullptr);

    // Refills the recent list (addresses as kept by Settings, without passwords).
    void setRecentStores(const QStringList& addresses);
    // While the demo store is being written: the button says so and is disabled.
    void setDemoBusy(bool busy, const QString& text = {});

    QListWidget* recentList() const { return m_recent; }

Q_SIGNALS:
    void recentRequested(const QString& address);
    void demoRequested();
    void openFileRequested();
    void connectRequested();

private:
    void openCurrent();

    QListWidget* m_recent;
    QLabel* m_recentTitle;
    QPushButton* m_demo;
    QPushButton* m_file;
    QPushButton* m_connect;
};

} // namespace es
