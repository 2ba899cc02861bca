#include "diffwindow.h"

#include "diff/diffmodels.h"
#include "settings.h"
#include "themecontroller.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTextBlock>
#include <QVBoxLayout>

#include <unordered_map>

namespace es {

namespace {

QString pretty(const QByteArray& line)
{
    if (line.isEmpty())
        return {};
    return QString::fromUtf8(QJsonDocument::fromJson(line).toJson(QJsonDocument::Indented));
}

// Marks the lines of `edit` that the other side does not have (as many times).
void markLines(QPlainTextEdit* edit, const QString& other, const QColor& color)
{
    std::unordered_map<QString, int> counts;
    for (const QString& line : other.split(QLatin1Char('\n')))
        ++counts[line];
    QList<QTextEdit::ExtraSelection> marks;
    for (QTextBlock block = edit->document()->begin(); block.isValid(); block = block.next()) {
        int& left = counts[block.text()];
        if (left > 0) {
            --left;
            continue;
        }
        QTextEdit::ExtraSelection mark;
        mark.format.setBackground(color);
        mark.format.setProperty(QTextFormat::FullWidthSelection, true);
        mark.cursor = QTextCursor(block);
        marks.append(mark);
    }
    edit->setExtraSelections(marks);
}

QTableView* makeTable(QAbstractItemModel* model, QWidget* parent)
{
    auto* table = new QTableView(parent);
    table->setModel(model);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    table->setWordWrap(false);
    return table;
}

} // namespace

DiffWindow::DiffWindow(StoreSession* session, QWidget* parent)
    : QWidget(parent, Qt::Window)
    , m_session(session)
    , m_other(new QLineEdit(this))
    , m_scopeKind(new QComboBox(this))
    , m_scopeName(new QLineEdit(this))
    , m_streamB(new QLineEdit(this))
    , m_compare(new QPushButton(tr("Compare"), this))
    , m_progress(new QProgressBar(this))
    , m_summary(new QLabel(this))
    , m_streams(new DiffStreamsModel(this))
    , m_changes(new DiffChangesModel(this))
    , m_paths(new QLabel(this))
    , m_a(new QPlainTextEdit(this))
    , m_b(new QPlainTextEdit(this))
{
    setWindowTitle(tr("Diff — %1").arg(session ? Settings::redactedAddress(session->address()) : QString()));
    resize(1200, 800);
    m_other->setPlaceholderText(tr("The second store: a SQLite file or a postgresql:// address"));
    auto* browseButton = new QPushButton(tr("Browse…"), this);
    m_scopeKind->addItems({ tr("Whole store"), tr("Stream"), tr("Category"), tr("Stream against stream") });
    m_scopeName->setPlaceholderText(tr("stream or category name"));
    m_scopeName->setEnabled(false);
    m_streamB->setPlaceholderText(tr("the other stream (in B, or in this store when B is empty)"));
    m_streamB->setVisible(false);
    m_progress->setVisible(false);
    m_paths->setWordWrap(true);
    m_paths->setTextInteractionFlags(Qt::TextSelectableByMouse);
    for (QPlainTextEdit* e : { m_a, m_b }) {
        e->setReadOnly(true);
        e->setLineWrapMode(QPlainTextEdit::NoWrap);
        ThemeController::useMonospace(e);
    }

    auto* otherRow = new QHBoxLayout;
    otherRow->addWidget(m_other, 1);
    otherRow->addWidget(browseButton);
    auto* scopeRow = new QHBoxLayout;
    scopeRow->addWidget(m_scopeKind);
    scopeRow->addWidget(m_scopeName, 1);
    scopeRow->addWidget(m_streamB, 1);
    scopeRow->addWidget(m_compare);
    auto* form = new QFormLayout;
    form->addRow(tr("Compare with:"), otherRow);
    form->addRow(tr("Scope:"), scopeRow);

    m_streamTable = makeTable(m_streams, this);
    m_changeTable = makeTable(m_changes, this);
    auto* sides = new QSplitter(Qt::Horizontal, this);
    auto* left = new QWidget(sides);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(new QLabel(tr("A (this store)"), left));
    leftLayout->addWidget(m_a);
    auto* right = new QWidget(sides);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(new QLabel(tr("B (the second store)"), right));
    rightLayout->addWidget(m_b);
    auto* detail = new QWidget(this);
    auto* detailLayout = new QVBoxLayout(detail);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addWidget(m_paths);
    detailLayout->addWidget(sides, 1);
    auto* lists = new QSplitter(Qt::Horizontal, this);
    lists->addWidget(m_streamTable);
    lists->addWidget(m_changeTable);
    lists->setStretchFactor(1, 2);
    lists->setSizes({ 420, 980 });
    auto* main = new QSplitter(Qt::Vertical, this);
    main->addWidget(lists);
    main->addWidget(detail);
    main->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_summary);
    layout->addWidget(main, 1);

    connect(browseButton, &QPushButton::clicked, this, &DiffWindow::browse);
    connect(m_scopeKind, &QComboBox::currentIndexChanged, this, [this](int kind) {
        m_scopeName->setEnabled(kind > 0);
        m_streamB->setVisible(kind == 3);
        m_other->setPlaceholderText(kind == 3 ? tr("The second store; empty: this store")
                                              : tr("The second store: a SQLite file or a postgresql:// address"));
    });
    connect(m_compare, &QPushButton::clicked, this, [this] { isRunning() ? cancel() : start(); });
    connect(m_streamTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& index) { m_changes->setStream(m_streams->stream(index.row())); });
    connect(m_changes, &QAbstractItemModel::modelReset, this, [this] { showChange(-1); });
    connect(m_changeTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& index) { showChange(index.row()); });
}

DiffWindow::~DiffWindow() = default;

void DiffWindow::setOther(const QString& address)
{
    m_other->setText(address);
}

void DiffWindow::setScope(int kind, const QString& name, const QString& nameB)
{
    m_scopeKind->setCurrentIndex(kind);
    m_scopeName->setText(name);
    m_streamB->setText(nameB);
}

void DiffWindow::browse()
{
    const QString file = QFileDialog::getOpenFileName(this, tr("Compare with"), Settings::instance()->lastDirectory(),
        tr("SQLite stores (*.sqlite *.sqlite3 *.db);;All files (*)"));
    if (!file.isEmpty())
        m_other->setText(file);
}

void DiffWindow::start()
{
    if (!m_session || isRunning())
        return;
    const bool twoStreams = m_scopeKind->currentIndex() == 3;
    const QString other = m_other->text().trimmed();
    // Two streams of this store: B opens it again as A was opened (profile, mapping), on a connection of its own.
    const StoreOpener opener = other.isEmpty() && twoStreams ? m_session->opener() : StoreOpener { other, {} };
    if (opener.address.isEmpty()) {
        m_summary->setText(tr("Name the second store first."));
        return;
    }
    DiffOptions options;
    if (m_scopeKind->currentIndex() == 1 || twoStreams)
        options.filter.stream = m_scopeName->text().trimmed();
    else if (m_scopeKind->currentIndex() == 2)
        options.filter.category = m_scopeName->text().trimmed();
    if (twoStreams) {
        if (options.filter.stream.isEmpty() || m_streamB->text().trimmed().isEmpty()) {
            m_summary->setText(tr("Name both streams first."));
            return;
        }
        EventFilter b;
        b.stream = m_streamB->text().trimmed();
        options.filterB = b;
    }
    m_job = new DiffJob(m_session, opener, options, this);
    connect(m_job, &DiffJob::progress, this, [this](const DiffProgress& p) {
        m_progress->setRange(0, p.totalA > 0 ? 1000 : 0);
        if (p.totalA > 0)
            m_progress->setValue(int(std::min<qint64>(1000, p.eventsA * 1000 / p.totalA)));
        m_summary->setText(tr("Compared %L1 events of A, %L2 of B: %L3 differences so far")
                               .arg(p.eventsA)
                               .arg(p.eventsB)
                               .arg(p.differences));
    });
    connect(m_job, &DiffJob::finished, this, &DiffWindow::finished);
    connect(m_job, &DiffJob::failed, this,
        [this](const Failure& f) { ended(tr("The diff failed: %1").arg(f.message), false); });
    connect(m_job, &DiffJob::cancelled, this, [this] { ended(tr("Cancelled."), false); });
    m_compare->setText(tr("Cancel"));
    m_progress->setRange(0, 0);
    m_progress->setVisible(true);
    m_summary->setText(tr("Comparing…"));
    m_job->start();
}

void DiffWindow::cancel()
{
    if (m_job)
        m_job->cancel();
}

void DiffWindow::finished(const DiffResult& result)
{
    const DiffSummary& s = result.summary;
    // A new result shows all its changes: a stream chosen in the previous one may not be in it.
    m_changes->setStream(QString());
    m_streams->setSummary(s);
    m_changes->setResult(std::make_shared<const DiffResult>(result));
    QString text = tr("%L1 events in A, %L2 in B, paired by %3: %L4 unchanged, %L5 changed, %L6 removed, %L7 added "
                      "(%8 s)")
                       .arg(s.eventsA)
                       .arg(s.eventsB)
                       .arg(m_scopeKind->currentIndex() == 3 ? tr("version")
                               : s.matchedById               ? tr("id")
                                                             : tr("stream and version"))
                       .arg(s.unchanged)
                       .arg(s.counts.changed)
                       .arg(s.counts.removed)
                       .arg(s.counts.added)
                       .arg(double(s.elapsedMs) / 1000.0, 0, 'f', 1);
    if (result.truncated)
        text += tr(" — the list shows the first %L1 changes").arg(result.changes.size());
    ended(text, true);
    if (m_changes->rowCount() > 0)
        m_changeTable->selectRow(0);
}

void DiffWindow::ended(const QString& message, bool succeeded)
{
    if (m_job) {
        m_job->deleteLater();
        m_job = nullptr;
    }
    m_compare->setText(tr("Compare"));
    m_progress->setVisible(false);
    m_summary->setText(message);
    Q_EMIT diffEnded(succeeded);
}

void DiffWindow::showChange(int row)
{
    const DiffChange* c = m_changes->change(row);
    if (!c) {
        m_paths->clear();
        m_a->clear();
        m_b->clear();
        return;
    }
    m_paths->setText(c->kind == DiffChange::Kind::Changed
            ? tr("%1@%2 changed at: %3").arg(c->stream).arg(c->version).arg(c->paths.join(QStringLiteral(", ")))
            : tr("%1@%2 %3").arg(c->stream).arg(c->version).arg(DiffChange::kindName(c->kind)));
    const QString a = c->a.isEmpty() ? tr("(not in A)") : pretty(c->a);
    const QString b = c->b.isEmpty() ? tr("(not in B)") : pretty(c->b);
    m_a->setPlainText(a);
    m_b->setPlainText(b);
    markLines(m_a, b, QColor(255, 210, 210));
    markLines(m_b, a, QColor(205, 240, 205));
}

} // namespace es
