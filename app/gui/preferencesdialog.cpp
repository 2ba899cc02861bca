#include "preferencesdialog.h"

#include "cache/summarycache.h"
#include "cachecontroller.h"
#include "settings.h"

#include <QApplication>
#include <QComboBox>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFontDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>

namespace es {

namespace {

constexpr qint64 MiB = 1024 * 1024;

PreferencesDialog::TimesEditorFactory& timesEditorFactory()
{
    static PreferencesDialog::TimesEditorFactory factory;
    return factory;
}

QLabel* note(const QString& text, QWidget* parent)
{
    auto* label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

} // namespace

void PreferencesDialog::setTimesEditorFactory(TimesEditorFactory factory)
{
    timesEditorFactory() = std::move(factory);
}

PreferencesDialog::PreferencesDialog(QWidget* parent)
    : QDialog(parent)
    , m_theme(new QComboBox(this))
    , m_poll(new QDoubleSpinBox(this))
    , m_stall(new QDoubleSpinBox(this))
    , m_caughtUp(new QSpinBox(this))
    , m_foldMemory(new QSpinBox(this))
    , m_snapshots(new QSpinBox(this))
    , m_cacheSize(new QLabel(this))
    , m_cacheFolder(new QLabel(this))
    , m_interfaceFont(new QPushButton(this))
    , m_monospaceFont(new QPushButton(this))
    , m_cache(new CacheController(this))
    , m_interfaceFontText(Settings::instance()->interfaceFont())
    , m_monospaceFontText(Settings::instance()->monospaceFont())
    , m_cacheFolderText(Settings::instance()->cacheFolder())
{
    setObjectName(QStringLiteral("preferencesDialog"));
    setWindowTitle(tr("Preferences"));
    Settings* settings = Settings::instance();

    auto* display = new QGroupBox(tr("Display"), this);
    auto* displayForm = new QFormLayout(display);
    m_theme->setObjectName(QStringLiteral("theme"));
    m_theme->addItem(tr("System (follow the desktop)"), QStringLiteral("system"));
    m_theme->addItem(tr("Light"), QStringLiteral("light"));
    m_theme->addItem(tr("Dark"), QStringLiteral("dark"));
    m_theme->setCurrentIndex(std::max(0, m_theme->findData(settings->theme())));
    displayForm->addRow(tr("Theme:"), m_theme);
    QWidget* times = timesEditorFactory() ? timesEditorFactory()(display) : nullptr;
    if (!times) {
        times = note(tr("UTC"), display);
        times->setObjectName(QStringLiteral("timesPlaceholder"));
    }
    displayForm->addRow(tr("Times:"), times);
    // A font button shows the font it stands for, in that font; Default goes back to the desktop's.
    const auto fontRow = [this, display](QPushButton* button, QString* text, const QString& name, bool monospace) {
        button->setObjectName(name);
        auto* reset = new QPushButton(tr("Default"), display);
        reset->setObjectName(name + QStringLiteral("Default"));
        connect(button, &QPushButton::clicked, this, [this, button, text, monospace] {
            bool ok = false;
            const QFont chosen = QFontDialog::getFont(&ok, button->font(), this, tr("Choose a Font"),
                monospace ? QFontDialog::MonospacedFonts : QFontDialog::FontDialogOptions());
            if (ok) {
                *text = chosen.toString();
                updateFonts();
            }
        });
        connect(reset, &QPushButton::clicked, this, [this, text] {
            text->clear();
            updateFonts();
        });
        auto* row = new QHBoxLayout;
        row->addWidget(button, 1);
        row->addWidget(reset);
        return row;
    };
    displayForm->addRow(
        tr("Interface font:"), fontRow(m_interfaceFont, &m_interfaceFontText, QStringLiteral("interfaceFont"), false));
    displayForm->addRow(
        tr("Payload font:"), fontRow(m_monospaceFont, &m_monospaceFontText, QStringLiteral("monospaceFont"), true));
    updateFonts();

    auto* projections = new QGroupBox(tr("Projections"), this);
    auto* projectionsForm = new QFormLayout(projections);
    m_poll->setObjectName(QStringLiteral("pollSeconds"));
    m_poll->setRange(0.2, 3600);
    m_poll->setDecimals(1);
    m_poll->setSuffix(tr(" s"));
    m_poll->setValue(settings->lagPollSeconds());
    m_stall->setObjectName(QStringLiteral("stallSeconds"));
    m_stall->setRange(1, 86400);
    m_stall->setDecimals(0);
    m_stall->setSuffix(tr(" s"));
    m_stall->setValue(settings->lagStallSeconds());
    m_caughtUp->setObjectName(QStringLiteral("caughtUpEvents"));
    m_caughtUp->setRange(0, 1000000000);
    m_caughtUp->setSuffix(tr(" events"));
    m_caughtUp->setValue(int(std::clamp<qint64>(settings->lagCaughtUpEvents(), 0, 1000000000)));
    projectionsForm->addRow(tr("Poll every:"), m_poll);
    projectionsForm->addRow(tr("Stalled when behind and still for:"), m_stall);
    projectionsForm->addRow(tr("Caught up within:"), m_caughtUp);

    auto* timeTravel = new QGroupBox(tr("Time travel"), this);
    auto* timeTravelForm = new QFormLayout(timeTravel);
    m_foldMemory->setObjectName(QStringLiteral("foldMemoryMiB"));
    m_foldMemory->setRange(0, 1024 * 1024);
    m_foldMemory->setSuffix(tr(" MiB"));
    m_foldMemory->setSpecialValueText(tr("No limit"));
    m_foldMemory->setValue(int(settings->foldMemoryBudgetBytes() / MiB));
    m_snapshots->setObjectName(QStringLiteral("snapshotMiB"));
    m_snapshots->setRange(1, 1024 * 1024);
    m_snapshots->setSuffix(tr(" MiB"));
    m_snapshots->setValue(int(std::max<qint64>(1, settings->snapshotBudgetBytes() / MiB)));
    timeTravelForm->addRow(tr("Largest reducer state:"), m_foldMemory);
    timeTravelForm->addRow(tr("Kept snapshots, together:"), m_snapshots);
    timeTravelForm->addRow(QString(), note(tr("Used by the next time-travel window opened."), timeTravel));

    auto* cache = new QGroupBox(tr("Summary cache"), this);
    auto* cacheForm = new QFormLayout(cache);
    m_cacheFolder->setParent(cache);
    m_cacheFolder->setObjectName(QStringLiteral("cacheFolder"));
    m_cacheFolder->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_cacheFolder->setWordWrap(true);
    auto* move = new QPushButton(tr("Change…"), cache);
    move->setObjectName(QStringLiteral("changeCacheFolder"));
    auto* defaultFolder = new QPushButton(tr("Default"), cache);
    defaultFolder->setObjectName(QStringLiteral("defaultCacheFolder"));
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(m_cacheFolder, 1);
    folderRow->addWidget(move);
    folderRow->addWidget(defaultFolder);
    m_cacheSize->setParent(cache);
    m_cacheSize->setObjectName(QStringLiteral("cacheSize"));
    auto* open = new QPushButton(tr("Open Folder"), cache);
    auto* clear = new QPushButton(tr("Clear"), cache);
    clear->setObjectName(QStringLiteral("clearCache"));
    auto* sizeRow = new QHBoxLayout;
    sizeRow->addWidget(m_cacheSize, 1);
    sizeRow->addWidget(open);
    sizeRow->addWidget(clear);
    cacheForm->addRow(tr("Folder:"), folderRow);
    cacheForm->addRow(tr("Size:"), sizeRow);
    cacheForm->addRow(QString(),
        note(tr("Counts of the stores opened, kept on this computer (never in a store). By default in "
                "XDG_CACHE_HOME; a new folder is used from OK on, and the old file stays until cleared. "
                "ES_SUMMARY_CACHE names a file that wins over both."),
            cache));
    connect(move, &QPushButton::clicked, this, [this] {
        const QString chosen = QFileDialog::getExistingDirectory(
            this, tr("Summary Cache Folder"), m_cacheFolderText.isEmpty() ? SummaryCache::folder() : m_cacheFolderText);
        if (!chosen.isEmpty()) {
            m_cacheFolderText = chosen;
            updateCache();
        }
    });
    connect(defaultFolder, &QPushButton::clicked, this, [this] {
        m_cacheFolderText.clear();
        updateCache();
    });
    connect(open, &QPushButton::clicked, this,
        [] { QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(SummaryCache::defaultPath()).absolutePath())); });
    connect(clear, &QPushButton::clicked, m_cache, &CacheController::clearNow);
    connect(m_cache, &CacheController::cleared, this, [this](const QString& message) {
        updateCache();
        m_cacheSize->setToolTip(message);
    });
    updateCache();

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        apply();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(display);
    layout->addWidget(projections);
    layout->addWidget(timeTravel);
    layout->addWidget(cache);
    layout->addWidget(note(tr("Settings file: %1").arg(settings->fileName()), this));
    layout->addWidget(buttons);
}

void PreferencesDialog::updateCache()
{
    m_cacheSize->setText(QLocale().formattedDataSize(CacheController::cacheBytes()));
    const QString inUse = QFileInfo(SummaryCache::defaultPath()).absolutePath();
    const QString chosen
        = m_cacheFolderText.isEmpty() ? tr("the default") : QDir::toNativeSeparators(m_cacheFolderText);
    const QString settled = m_cacheFolderText == Settings::instance()->cacheFolder()
        ? QDir::toNativeSeparators(inUse)
        : tr("%1 (from OK on; now %2)").arg(chosen, QDir::toNativeSeparators(inUse));
    m_cacheFolder->setText(settled);
}

void PreferencesDialog::updateFonts()
{
    const auto show = [](QPushButton* button, const QString& text, const QFont& fallback) {
        QFont font;
        if (text.isEmpty() || !font.fromString(text))
            font = fallback;
        button->setFont(font);
        button->setText(text.isEmpty() ? tr("%1 %2 pt (the desktop's)").arg(font.family()).arg(font.pointSize())
                                       : tr("%1 %2 pt").arg(font.family()).arg(font.pointSize()));
    };
    show(m_interfaceFont, m_interfaceFontText, QApplication::font());
    show(m_monospaceFont, m_monospaceFontText, QFontDatabase::systemFont(QFontDatabase::FixedFont));
}

void PreferencesDialog::apply()
{
    Settings* settings = Settings::instance();
    settings->setLagPollSeconds(m_poll->value());
    settings->setLagStallSeconds(m_stall->value());
    settings->setLagCaughtUpEvents(m_caughtUp->value());
    // In whole MiB: a budget is rewritten only when its field was changed, so an odd byte count stays as it was.
    if (m_foldMemory->value() != int(settings->foldMemoryBudgetBytes() / MiB))
        settings->setFoldMemoryBudgetBytes(qint64(m_foldMemory->value()) * MiB);
    if (m_snapshots->value() != int(std::max<qint64>(1, settings->snapshotBudgetBytes() / MiB)))
        settings->setSnapshotBudgetBytes(qint64(m_snapshots->value()) * MiB);
    settings->setTheme(m_theme->currentData().toString());
    settings->setFonts(m_interfaceFontText, m_monospaceFontText);
    settings->setCacheFolder(m_cacheFolderText);
}

} // namespace es
