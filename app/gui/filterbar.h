#pragma once

#include "core/eventfilter.h"

#include <QWidget>

class QGridLayout;
class QLabel;
class QLineEdit;
class QCompleter;
class QStringListModel;
class QToolButton;

namespace es {

// Event type(s), a time range and a payload text or JSON condition. Bad input is reported inline.
class FilterBar : public QWidget {
    Q_OBJECT
public:
    explicit FilterBar(QWidget* parent = nullptr);

    // Fills the predicate fields of *filter (types, times, text, conditions); false and *error on bad input.
    bool buildFilter(EventFilter* filter, QString* error) const;

    void setTypes(const QString& types);
    // The store's type names, offered as completions for each comma-separated entry of the types field (an entry
    // may also be a pattern: Order*, *Placed, *Pay*).
    void setTypeNames(const QStringList& names);
    void setTimeRange(const QString& from, const QString& to);
    void setQuery(const QString& query);
    QString query() const;
    QString errorText() const;
    bool isActive() const;

    QLineEdit* typesEdit() const { return m_types; }
    QLineEdit* queryEdit() const { return m_query; }

    // Validates the fields and emits applied() when they are good; shows the error otherwise.
    void apply();
    void clear();
    void showError(const QString& error);
    void focusQuery();

    bool isTwoRows() const { return m_twoRows; }
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void applied();

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    int oneRowWidth() const;
    void completeType();
    void insertType(const QString& name);
    void arrange(bool twoRows);

    QGridLayout* m_grid = nullptr;
    bool m_twoRows = false;
    QLineEdit* m_types;
    QCompleter* m_typeCompleter;
    QStringListModel* m_typeNames;
    QLineEdit* m_from;
    QLineEdit* m_to;
    QLineEdit* m_query;
    QToolButton* m_apply;
    QToolButton* m_clear;
    QLabel* m_error;
};

} // namespace es
