#pragma once

#include <QFrame>

class QLabel;
class QToolButton;

namespace es {

// An inline message above the content (like KMessageWidget): errors stay visible until dismissed or replaced.
class MessageBanner : public QFrame {
    Q_OBJECT
public:
    enum class Kind { Error, Warning, Info };

    explicit MessageBanner(QWidget* parent = nullptr);

    void showMessage(const QString& text, Kind kind = Kind::Error);
    void dismiss();
    QString text() const;
    Kind kind() const { return m_kind; }

private:
    QLabel* m_icon;
    QLabel* m_label;
    QToolButton* m_close;
    Kind m_kind = Kind::Info;
};

} // namespace es
