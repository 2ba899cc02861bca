#pragma once

#include <QDateTime>
#include <QDialog>

#include <optional>

class QLabel;
class QLineEdit;

namespace es {

// Go to position/time (Ctrl+G): a number is a key (position, or version in a stream), anything else a time.
class GoToDialog : public QDialog {
    Q_OBJECT
public:
    explicit GoToDialog(bool streamScope, QWidget* parent = nullptr);

    struct Target {
        std::optional<qint64> key;
        QDateTime time;
    };
    // Parses input like "123456", "2024-05-01", "2024-05-01T08:30:00Z"; nullopt when it is neither.
    static std::optional<Target> parse(const QString& text);
    std::optional<Target> target() const { return parse(text()); }
    QString text() const;

private:
    QLineEdit* m_edit;
    QLabel* m_hint;
};

} // namespace es
