#include "exportdialog.h"

#include "export/exportjob.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace es {

namespace {

QString duration(qint64 ms)
{
    const qint64 s = (ms + 500) / 1000;
    if (s < 60)
        return QObject::tr("%n s", nullptr, int(s));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

ExportDialog::ExportDialog(Context context, QWidget* parent)
    : QDialog(parent)
    , m_context(std::move(context))
    , m_scopes(new QButtonGroup(this))
    , m_format(new QComboBox(this))
    , m_file(new QLineEdit(this))
    , m_redact(new QLineEdit(this))
    , m_nonJson(new QComboBox(this))
    , m_keepFormulas(new QCheckBox(tr("Keep cells that look like spreadsheet formulas as they are"), this))
    , m_error(new QLabel(this))
{
    setWindowTitle(tr("Export Events"));
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    layout->addLayout(form);

    auto* scopeBox = new QVBoxLayout;
    auto addScope = [&](Scope scope, const QString& text, bool enabled) {
        auto* button = new QRadioButton(text, this);
        button->setEnabled(enabled);
        m_scopes->addButton(button, int(scope));
        scopeBox->addWidget(button);
    };
    addScope(Scope::View, tr("Current view: %1").arg(m_context.viewDescription), true);
    addScope(Scope::Selection,
        tr("Selected events (%1)").arg(QLocale().toString(qlonglong(m_context.selectedKeys.size()))),
        !m_context.selectedKeys.empty());
    addScope(Scope::Stream,
        m_context.stream.isEmpty() ? tr("One stream (select a stream or an event first)")
                                   : tr("Stream %1").arg(m_context.stream),
        !m_context.stream.isEmpty());
    addScope(Scope::All, tr("Global log (every event)"), true);
    m_scopes->button(int(Scope::View))->setChecked(true);
    form->addRow(tr("Export:"), scopeBox);

    m_format->addItem(tr("JSON Lines (.jsonl)"), QStringLiteral("jsonl"));
    m_format->addItem(tr("JSON (.json)"), QStringLiteral("json"));
    m_format->addItem(tr("CSV (.csv)"), QStringLiteral("csv"));
    if (Exporter::formats().contains(QStringLiteral("sqlite")))
        m_format->addItem(tr("SQLite store, Emmett layout (.sqlite)"), QStringLiteral("sqlite"));
    form->addRow(tr("&Format:"), m_format);

    auto* fileRow = new QHBoxLayout;
    fileRow->addWidget(m_file, 1);
    auto* browseButton = new QPushButton(tr("&Browse…"), this);
    fileRow->addWidget(browseButton);
    // addRow(QString, QLayout*) makes a label without a buddy, which would show the "&" itself.
    auto* fileLabel = new QLabel(tr("&File:"), this);
    fileLabel->setBuddy(m_file);
    form->addRow(fileLabel, fileRow);
    m_file->setText(QDir::home().filePath(QStringLiteral("%1-export.jsonl")
                                              .arg(QFileInfo(m_context.storeName).completeBaseName().isEmpty()
                                                      ? QStringLiteral("events")
                                                      : QFileInfo(m_context.storeName).completeBaseName())));

    m_redact->setPlaceholderText(tr("e.g. data.email, metadata.userId"));
    m_redact->setToolTip(tr("These fields are replaced by a keyed hash (hmac:…): equal values share a token within "
                            "this export, and tokens cannot be reversed by guessing values."));
    form->addRow(tr("&Redact fields:"), m_redact);
    m_nonJson->addItem(tr("Redact them whole"), int(Redactor::NonJson::Redact));
    m_nonJson->addItem(tr("Stop the export"), int(Redactor::NonJson::Refuse));
    m_nonJson->addItem(tr("Keep them as they are"), int(Redactor::NonJson::Keep));
    m_nonJson->setToolTip(tr("Redaction cannot look inside text, XML or binary payloads."));
    form->addRow(tr("Non-JSON &payloads:"), m_nonJson);
    m_keepFormulas->setToolTip(tr("By default CSV cells that begin with =, +, -, @, tab or CR get a leading "
                                  "apostrophe, so a spreadsheet shows them instead of running them."));
    form->addRow(QString(), m_keepFormulas);
    auto updateOptional = [this] {
        m_nonJson->setEnabled(!m_redact->text().trimmed().isEmpty());
        m_keepFormulas->setEnabled(format() == QLatin1String("csv"));
    };
    connect(m_redact, &QLineEdit::textChanged, this, updateOptional);
    connect(m_format, &QComboBox::currentIndexChanged, this, updateOptional);
    updateOptional();

    m_error->setStyleSheet(QStringLiteral("color: palette(highlighted-text); background: #b3261e; padding: 4px;"));
    m_error->setWordWrap(true);
    m_error->hide();
    layout->addWidget(m_error);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Export"));
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::accepted, this, &ExportDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ExportDialog::reject);
    connect(browseButton, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(m_format, &QComboBox::currentIndexChanged, this, &ExportDialog::formatChanged);
    connect(m_file, &QLineEdit::textEdited, this, [this] { m_overwrite = false; });
}

ExportDialog::~ExportDialog() = default;

void ExportDialog::setScope(Scope scope)
{
    if (auto* b = m_scopes->button(int(scope)); b && b->isEnabled())
        b->setChecked(true);
}

ExportDialog::Scope ExportDialog::scope() const
{
    return Scope(m_scopes->checkedId());
}

void ExportDialog::setFormat(const QString& format)
{
    const int index = m_format->findData(format);
    if (index >= 0)
        m_format->setCurrentIndex(index);
}

QString ExportDialog::format() const
{
    return m_format->currentData().toString();
}

void ExportDialog::setFilePath(const QString& path)
{
    m_file->setText(path);
    m_overwrite = false;
}

QString ExportDialog::filePath() const
{
    return m_file->text().trimmed();
}

void ExportDialog::setRedactPaths(const QString& paths)
{
    m_redact->setText(paths);
}

ExportOptions ExportDialog::options() const
{
    ExportOptions o;
    o.format = format();
    o.path = filePath();
    o.overwrite = m_overwrite;
    for (const QString& part : m_redact->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (!part.trimmed().isEmpty())
            o.redact.append(part.trimmed());
    }
    o.nonJson = Redactor::NonJson(m_nonJson->currentData().toInt());
    o.csvKeepFormulas = m_keepFormulas->isChecked();
    switch (scope()) {
    case Scope::View:
        o.filter = m_context.viewFilter;
        break;
    case Scope::Selection:
        o.filter = m_context.viewFilter;
        o.keys = m_context.selectedKeys;
        break;
    case Scope::Stream:
        o.filter.stream = m_context.stream;
        break;
    case Scope::All:
        break;
    }
    return o;
}

void ExportDialog::formatChanged()
{
    const QString path = filePath();
    if (path.isEmpty())
        return;
    const QFileInfo info(path);
    m_file->setText(info.dir().filePath(info.completeBaseName() + u'.' + Exporter::suffixFor(format())));
    m_overwrite = false;
}

void ExportDialog::browse()
{
    const QString filter = m_format->currentText();
    const QString path = QFileDialog::getSaveFileName(this, tr("Export To"), filePath(), filter);
    if (path.isEmpty())
        return;
    m_file->setText(path);
    // The file dialog already asked before choosing an existing file.
    m_overwrite = QFileInfo::exists(path);
}

void ExportDialog::accept()
{
    startExport();
}

bool ExportDialog::startExport()
{
    if (m_job)
        return false;
    ExportOptions o = options();
    QString error;
    if (o.path.isEmpty())
        error = tr("Choose a file to export to.");
    else if (!QFileInfo(o.path).absoluteDir().exists())
        error = tr("The folder %1 does not exist.").arg(QFileInfo(o.path).absolutePath());
    else if (!Redactor::parse(o.redact, &error))
        error = tr("Redact fields: %1").arg(error);
    if (!error.isEmpty()) {
        m_error->setText(error);
        m_error->show();
        return false;
    }
    m_error->hide();
    if (QFileInfo::exists(o.path) && !o.overwrite) {
        const auto answer = QMessageBox::question(this, tr("Replace File?"),
            tr("%1 already exists. Do you want to replace it?").arg(QFileInfo(o.path).fileName()),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes)
            return false;
        m_overwrite = true;
        o.overwrite = true;
    }

    m_job = new ExportJob(m_context.session, o, this);
    m_progress = new QProgressDialog(tr("Exporting…"), tr("Cancel"), 0, 1000, this);
    m_progress->setWindowTitle(tr("Exporting Events"));
    m_progress->setMinimumDuration(300);
    m_progress->setAutoClose(false);
    m_progress->setAutoReset(false);
    connect(m_progress, &QProgressDialog::canceled, m_job, &ExportJob::cancel);
    connect(m_job, &ExportJob::progress, this, &ExportDialog::updateProgress);
    connect(m_job, &ExportJob::finished, this, [this](const ExportResult& r) {
        QString message
            = tr("Exported %1 events to %2 in %3")
                  .arg(QLocale().toString(r.events), QDir::toNativeSeparators(r.path), duration(r.elapsedMs));
        if (r.redactedEvents > 0)
            message += tr(" (%1 redacted)").arg(QLocale().toString(r.redactedEvents));
        ended(message, true);
    });
    connect(m_job, &ExportJob::failed, this,
        [this](const Failure& f) { ended(tr("Export failed: %1").arg(f.message), false); });
    connect(m_job, &ExportJob::cancelled, this, [this] { ended(tr("Export cancelled; no file was written."), false); });
    setEnabled(false);
    m_job->start();
    return true;
}

void ExportDialog::updateProgress(const ExportProgress& p)
{
    if (!m_progress)
        return;
    if (p.fraction >= 0)
        m_progress->setValue(int(p.fraction * 1000));
    QString text = tr("Exported %1 events").arg(QLocale().toString(p.events));
    if (p.etaMs >= 0)
        text += tr(", about %1 left").arg(duration(p.etaMs));
    m_progress->setLabelText(text);
}

void ExportDialog::ended(const QString& message, bool success)
{
    if (m_progress) {
        m_progress->close();
        m_progress->deleteLater();
    }
    if (m_job)
        m_job->deleteLater();
    m_job = nullptr;
    setEnabled(true);
    Q_EMIT exportEnded(message, success);
    if (success) {
        QDialog::accept();
    } else {
        m_error->setText(message);
        m_error->show();
    }
}

} // namespace es
