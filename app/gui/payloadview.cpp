#include "payloadview.h"

#include "models/jsontreemodel.h"
#include "themecontroller.h"

#include <QApplication>
#include <QButtonGroup>
#include <QClipboard>
#include <QElapsedTimer>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonValue>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QStackedWidget>
#include <QTextCursor>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace es {

namespace {

// "Show all" appends for this long per turn of the event loop.
constexpr qint64 SliceMs = 15;
constexpr qsizetype SliceChars = 64 * 1024;

QString sizeText(qsizetype bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

QToolButton* makeButton(const QString& text, const QString& toolTip, QWidget* parent)
{
    auto* b = new QToolButton(parent);
    b->setText(text);
    b->setToolTip(toolTip);
    b->setAutoRaise(true);
    return b;
}

} // namespace

PayloadView::PayloadView(const QString& rootName, QWidget* parent)
    : QWidget(parent)
    , m_rootName(rootName)
    , m_appendTimer(new QTimer(this))
    , m_model(new JsonTreeModel(this))
    , m_note(new QLabel(this))
    , m_status(new QWidget(this))
    , m_statusText(new QLabel(m_status))
    , m_progress(new QProgressBar(m_status))
    , m_showAllButton(makeButton(tr("Show all"), tr("Show the whole payload as text"), m_status))
    , m_treeButton(makeButton(tr("Tree"), tr("Show as a collapsible JSON tree"), this))
    , m_textButton(makeButton(tr("Text"), tr("Show as pretty-printed text"), this))
    , m_copyButton(makeButton(tr("Copy"), tr("Copy the payload (or the selected value) to the clipboard"), this))
    , m_copyPathButton(makeButton(tr("Copy path"), tr("Copy the path of the selected value, e.g. data.amount"), this))
    , m_stack(new QStackedWidget(this))
    , m_tree(new QTreeView(this))
    , m_text(new QPlainTextEdit(this))
{
    setObjectName(rootName + QStringLiteral("View"));
    m_tree->setObjectName(rootName + QStringLiteral("Tree"));
    m_text->setObjectName(rootName + QStringLiteral("Text"));
    m_note->setObjectName(rootName + QStringLiteral("Note"));
    m_note->setWordWrap(true);
    m_note->setStyleSheet(QStringLiteral("QLabel { color: #8a5a00; font-style: italic; }"));
    m_note->hide();
    m_status->setObjectName(rootName + QStringLiteral("Status"));
    m_showAllButton->setObjectName(rootName + QStringLiteral("ShowAll"));
    m_progress->setMaximumHeight(12);
    m_progress->setTextVisible(false);
    auto* statusLayout = new QHBoxLayout(m_status);
    statusLayout->setContentsMargins(0, 0, 0, 0);
    statusLayout->addWidget(m_statusText, 1);
    statusLayout->addWidget(m_progress);
    statusLayout->addWidget(m_showAllButton);
    m_status->hide();
    m_appendTimer->setInterval(0);
    connect(m_appendTimer, &QTimer::timeout, this, &PayloadView::appendSlice);
    connect(m_showAllButton, &QToolButton::clicked, this, &PayloadView::showAllText);

    m_treeButton->setCheckable(true);
    m_textButton->setCheckable(true);
    m_treeButton->setChecked(true);
    auto* group = new QButtonGroup(this);
    group->setExclusive(true);
    group->addButton(m_treeButton);
    group->addButton(m_textButton);
    m_copyButton->setIcon(QIcon::fromTheme(QStringLiteral("edit-copy")));
    m_copyButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);

    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(JsonTreeModel::KeyColumn, QHeaderView::Interactive);
    m_tree->header()->setSectionResizeMode(JsonTreeModel::ValueColumn, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(JsonTreeModel::TypeColumn, QHeaderView::ResizeToContents);
    m_tree->header()->resizeSection(JsonTreeModel::KeyColumn, 160);

    m_text->setReadOnly(true);
    m_text->setUndoRedoEnabled(false);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    ThemeController::useMonospace(m_text);

    m_stack->addWidget(m_tree);
    m_stack->addWidget(m_text);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->setSpacing(2);
    bar->addWidget(m_treeButton);
    bar->addWidget(m_textButton);
    bar->addStretch(1);
    bar->addWidget(m_copyPathButton);
    bar->addWidget(m_copyButton);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 2, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(bar);
    layout->addWidget(m_note);
    layout->addWidget(m_status);
    layout->addWidget(m_stack, 1);

    connect(m_treeButton, &QToolButton::clicked, this, [this] {
        m_preferTree = true;
        setShowTree(true);
    });
    connect(m_textButton, &QToolButton::clicked, this, [this] {
        m_preferTree = false;
        setShowTree(false);
    });
    connect(m_copyButton, &QToolButton::clicked, this, &PayloadView::copyText);
    connect(m_copyPathButton, &QToolButton::clicked, this, &PayloadView::copyPath);
    connect(m_tree, &QTreeView::customContextMenuRequested, this, &PayloadView::showContextMenu);
    setShowTree(true);
}

bool PayloadView::showsTree() const
{
    return m_stack->currentWidget() == m_tree;
}

void PayloadView::setShowTree(bool tree)
{
    const bool showTree = tree && m_model->hasJson();
    m_stack->setCurrentWidget(showTree ? static_cast<QWidget*>(m_tree) : m_text);
    m_treeButton->setChecked(showTree);
    m_textButton->setChecked(!showTree);
    m_copyPathButton->setEnabled(showTree);
}

QString PayloadView::note() const
{
    return m_note->isHidden() ? QString() : m_note->text();
}

void PayloadView::setSession(StoreSession* session, StoreSession::Lane lane)
{
    stopWork();
    m_session = session;
    m_lane = lane;
}

bool PayloadView::isLoading() const
{
    return m_loading;
}

void PayloadView::setLoading(bool loading)
{
    if (m_loading == loading)
        return;
    m_loading = loading;
    Q_EMIT loadingChanged(loading);
}

// Drops what a previous payload started: its job's result and the text still to append.
void PayloadView::stopWork()
{
    m_generation.next();
    if (m_job && m_session)
        m_session->cancel(m_job);
    m_job = 0;
    m_appendTimer->stop();
    m_pendingText.clear();
    m_pendingAt = 0;
    m_shownAll = false;
    m_status->hide();
    setLoading(false);
}

void PayloadView::clear()
{
    stopWork();
    m_payload = {};
    m_model->clear();
    m_text->clear();
    m_note->hide();
    m_textTruncated = false;
    m_treeButton->setEnabled(false);
    setShowTree(false);
}

void PayloadView::showStatus(const QString& text, int percent)
{
    m_statusText->setText(text);
    m_progress->setVisible(percent != -2);
    if (percent >= 0) {
        m_progress->setRange(0, 100);
        m_progress->setValue(percent);
    } else {
        m_progress->setRange(0, 0); // busy
    }
    m_showAllButton->hide();
    m_status->show();
}

void PayloadView::updateTruncation()
{
    if (!m_textTruncated) {
        m_status->hide();
        return;
    }
    const qsizetype size = m_payload.bytes.size();
    if (m_shownAll) {
        m_statusText->setText(tr("The text view shows the first %1 of %2: the payload is too large to show whole.")
                                  .arg(sizeText(MaxTextBytes), sizeText(size)));
        m_showAllButton->hide();
    } else {
        m_statusText->setText(
            tr("The text view shows the first %1 of %2.").arg(sizeText(TextHeadBytes), sizeText(size)));
        m_showAllButton->show();
    }
    m_progress->hide();
    m_status->show();
}

void PayloadView::showJson(const QByteArray& text, const jsontext::Index& index)
{
    Q_ASSERT(!index.cancelled); // a cancelled check ends its job as cancelled and never reaches the view
    if (index.ok) {
        m_model->setValidatedJson(text, index, m_rootName);
    } else {
        m_model->clear();
        m_note->setText(tr("Marked as JSON but it does not parse (%1); shown as text.").arg(index.error));
        m_note->show();
    }
    const bool json = m_model->hasJson();
    m_treeButton->setEnabled(json);
    setShowTree(m_preferTree);
    if (json && m_model->rowCount() <= 50)
        m_tree->expandToDepth(0);
}

void PayloadView::setPayload(const Payload& payload)
{
    stopWork();
    m_payload = payload;
    m_note->hide();
    m_model->clear();
    m_treeButton->setEnabled(false);
    switch (payload.encoding) {
    case Payload::Encoding::Null:
        m_note->setText(tr("No %1 (NULL in the store).").arg(m_rootName));
        m_note->show();
        break;
    case Payload::Encoding::Json:
        break;
    case Payload::Encoding::Text:
        m_note->setText(tr("Not JSON: shown as UTF-8 text (%n byte(s)).", nullptr, int(payload.bytes.size())));
        m_note->show();
        break;
    case Payload::Encoding::Base64:
        m_note->setText(tr(
            "Binary payload (not JSON, not UTF-8): shown as base64 (%n byte(s)).", nullptr, int(payload.bytes.size())));
        m_note->show();
        break;
    }
    // The first picture costs only the head of the text, whatever the payload's size.
    m_text->setPlainText(payload.displayHead(TextHeadBytes, &m_textTruncated));
    updateTruncation();
    setShowTree(m_preferTree);
    if (!payload.isJson())
        return;
    const QByteArray bytes = payload.bytes;
    if (bytes.size() <= SyncBytes || !m_session) {
        showJson(bytes, jsontext::validate(bytes));
        return;
    }
    const quint64 generation = m_generation.current();
    JobCallbacks<jsontext::Index> on;
    on.finished = [this, generation, bytes](jsontext::Index index) {
        if (!m_generation.isCurrent(generation))
            return;
        m_job = 0;
        setLoading(false);
        updateTruncation();
        showJson(bytes, index);
    };
    on.failed = [this, generation](const Failure& failure) {
        if (!m_generation.isCurrent(generation))
            return;
        m_job = 0;
        setLoading(false);
        updateTruncation();
        m_note->setText(tr("Could not read this payload as JSON: %1").arg(failure.message));
        m_note->show();
    };
    on.cancelled = [this, generation] {
        if (m_generation.isCurrent(generation)) {
            m_job = 0;
            setLoading(false);
        }
    };
    setLoading(true);
    showStatus(tr("Reading %1 of JSON…").arg(sizeText(bytes.size())));
    m_job = m_session->run<jsontext::Index>(
        m_lane, this,
        [bytes](EventStore&, JobControl& control) {
            jsontext::Index index = jsontext::validate(bytes, 64 * 1024, control.cancelFlag());
            control.throwIfCancelled();
            return index;
        },
        std::move(on));
}

void PayloadView::showAllText()
{
    if (!m_textTruncated || m_loading || m_shownAll)
        return;
    const Payload payload = m_payload;
    auto begin = [this](FullText full) {
        m_pendingText = std::move(full.text);
        m_pendingTruncated = full.truncated;
        m_pendingAt = 0;
        m_text->clear();
        setLoading(true);
        showStatus(tr("Adding the rest of the text…"), 0);
        m_appendTimer->start();
    };
    if (payload.bytes.size() <= SyncBytes || !m_session) {
        FullText full;
        full.text = payload.displayHead(MaxTextBytes, &full.truncated);
        begin(std::move(full));
        return;
    }
    const quint64 generation = m_generation.current();
    JobCallbacks<FullText> on;
    on.finished = [this, generation, begin](FullText full) {
        if (!m_generation.isCurrent(generation))
            return;
        m_job = 0;
        begin(std::move(full));
    };
    on.failed = [this, generation](const Failure& failure) {
        if (!m_generation.isCurrent(generation))
            return;
        m_job = 0;
        setLoading(false);
        showStatus(tr("Could not show the whole text: %1").arg(failure.message), -2);
    };
    setLoading(true);
    showStatus(tr("Preparing %1 of text…").arg(sizeText(std::min(payload.bytes.size(), MaxTextBytes))));
    m_job = m_session->run<FullText>(
        m_lane, this,
        [payload](EventStore&, JobControl&) {
            FullText full;
            full.text = payload.displayHead(MaxTextBytes, &full.truncated);
            return full;
        },
        std::move(on));
}

// One slice of "Show all": as much text as fits in SliceMs, so the window keeps answering while a big text grows.
void PayloadView::appendSlice()
{
    QElapsedTimer clock;
    clock.start();
    QTextCursor cursor(m_text->document());
    cursor.movePosition(QTextCursor::End);
    while (m_pendingAt < m_pendingText.size() && clock.elapsed() < SliceMs) {
        const qsizetype n = std::min(SliceChars, m_pendingText.size() - m_pendingAt);
        cursor.insertText(QStringView(m_pendingText).sliced(m_pendingAt, n).toString());
        m_pendingAt += n;
    }
    if (m_pendingAt < m_pendingText.size()) {
        m_progress->setValue(int(100 * m_pendingAt / std::max<qsizetype>(1, m_pendingText.size())));
        return;
    }
    m_appendTimer->stop();
    m_pendingText.clear();
    m_pendingAt = 0;
    m_textTruncated = m_pendingTruncated;
    m_shownAll = true;
    setLoading(false);
    updateTruncation();
}

void PayloadView::copyText()
{
    QString text;
    const QModelIndex current = m_tree->currentIndex();
    if (showsTree() && current.isValid())
        text = m_model->jsonText(current, true);
    else if (m_model->hasJson())
        text = m_model->jsonText({}, true);
    else
        text = m_text->toPlainText();
    QApplication::clipboard()->setText(text);
}

void PayloadView::copyPath()
{
    const QModelIndex current = m_tree->currentIndex();
    QApplication::clipboard()->setText(current.isValid() ? m_model->path(current) : m_rootName);
}

QString PayloadView::conditionFor(const QModelIndex& index) const
{
    const QModelIndex valueIndex = index.siblingAtColumn(JsonTreeModel::ValueColumn);
    const QString path = m_model->path(index);
    const QString json = m_model->data(valueIndex, JsonTreeModel::JsonRole).toString();
    const QString type = m_model->data(index.siblingAtColumn(JsonTreeModel::TypeColumn)).toString();
    if (type == QLatin1String("object") || type == QLatin1String("array") || type == QLatin1String("null"))
        return path + QStringLiteral(" exists");
    if (type == QLatin1String("string")) {
        QString value = m_model->data(valueIndex, JsonTreeModel::SortRole).toString();
        value.replace(QLatin1Char('\''), QLatin1String("''"));
        return path + QStringLiteral(" = '") + value + QLatin1Char('\'');
    }
    return path + QStringLiteral(" = ") + json;
}

void PayloadView::showContextMenu(const QPoint& pos)
{
    const QModelIndex index = m_tree->indexAt(pos);
    if (!index.isValid())
        return;
    QMenu menu(this);
    menu.addAction(
        tr("Copy value"), this, [this, index] { QApplication::clipboard()->setText(m_model->jsonText(index, true)); });
    menu.addAction(tr("Copy path"), this, [this, index] { QApplication::clipboard()->setText(m_model->path(index)); });
    menu.addSeparator();
    const QString condition = conditionFor(index);
    menu.addAction(
        tr("Filter events by %1").arg(condition), this, [this, condition] { Q_EMIT filterRequested(condition); });
    menu.addSeparator();
    menu.addAction(tr("Expand all"), m_tree, &QTreeView::expandAll);
    menu.addAction(tr("Collapse all"), m_tree, &QTreeView::collapseAll);
    menu.exec(m_tree->viewport()->mapToGlobal(pos));
}

} // namespace es
