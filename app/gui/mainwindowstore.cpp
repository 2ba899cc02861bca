// MainWindow, continued: opening, counting and closing stores, the start page and the status bar. The window's
// construction, docks, actions and navigation are in mainwindow.cpp.
#include "mainwindow.h"

#include "activity/histogram.h"

#include "activityview.h"
#include "cache/scopecounts.h"
#include "cachecontroller.h"
#include "casecontroller.h"
#include "demostore.h"
#include "diffwindow.h"
#include "eventinspector.h"
#include "eventview.h"
#include "exportdialog.h"
#include "filterbar.h"
#include "flowcontroller.h"
#include "followcontroller.h"
#include "gotodialog.h"
#include "gotostreamdialog.h"
#include "mappingwizard.h"
#include "messagebanner.h"
#include "models/eventtablemodel.h"
#include "models/streamtreemodel.h"
#include "nav/eventnavigator.h"
#include "navigationcontroller.h"
#include "openstoredialog.h"
#include "projectionsview.h"
#include "reconcileview.h"
#include "settings.h"
#include "startpage.h"
#include "store/storesession.h"
#include "streambrowser.h"
#include "timetravelwindow.h"
#include "typesview.h"
#include "windowfit.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace es {

namespace {

QString number(qint64 n)
{
    return n < 0 ? QStringLiteral("…") : QLocale().toString(n);
}

} // namespace

void MainWindow::createStatusBar()
{
    m_storeLabel = new QLabel(tr("No store open"), this);
    m_layoutLabel = new QLabel(this);
    m_countLabel = new QLabel(this);
    m_headLabel = new QLabel(this);
    m_notesButton = new QToolButton(this);
    m_notesButton->setAutoRaise(true);
    m_notesButton->setIcon(style()->standardIcon(QStyle::SP_MessageBoxInformation));
    m_notesButton->setIconSize(QSize(14, 14));
    m_notesButton->hide();
    connect(m_notesButton, &QToolButton::clicked, this,
        [this] { m_banner->showMessage(m_notesButton->toolTip(), MessageBanner::Kind::Info); });
    m_busyBar = new QProgressBar(this);
    m_busyBar->setRange(0, 0);
    m_busyBar->setMaximumWidth(110);
    m_busyBar->setMaximumHeight(14);
    m_busyBar->setTextVisible(false);
    m_busyBar->hide();
    m_cancelButton = new QToolButton(this);
    m_cancelButton->setText(tr("Cancel"));
    m_cancelButton->setToolTip(tr("Cancel the reads running now"));
    m_cancelButton->setAutoRaise(true);
    m_cancelButton->hide();
    connect(m_cancelButton, &QToolButton::clicked, this, [this] {
        if (m_session)
            m_session->cancelAll();
        if (m_opening) {
            m_opening->cancelAll();
            m_opening->deleteLater();
            m_opening = nullptr;
        }
        statusBar()->showMessage(tr("Cancelled"), 4000);
    });
    m_busyDelay = new QTimer(this);
    m_busyDelay->setSingleShot(true);
    m_busyDelay->setInterval(250);
    connect(m_busyDelay, &QTimer::timeout, this, [this] {
        m_busyBar->show();
        m_cancelButton->show();
    });
    for (QLabel* l : { m_storeLabel, m_layoutLabel, m_countLabel, m_headLabel }) {
        l->setContentsMargins(6, 0, 6, 0);
        statusBar()->addPermanentWidget(l);
        if (l == m_layoutLabel)
            statusBar()->addPermanentWidget(m_notesButton);
    }
    statusBar()->addPermanentWidget(m_busyBar);
    statusBar()->addPermanentWidget(m_cancelButton);
}

QString MainWindow::statusText() const
{
    QStringList parts;
    for (QLabel* l : { m_storeLabel, m_layoutLabel, m_countLabel, m_headLabel })
        parts.append(l->text());
    return parts.join(QLatin1String(" | "));
}

// With no store open the docks would be blank panes around the start page: they step aside until a store opens.
void MainWindow::parkDocks(bool park)
{
    if (park) {
        for (QDockWidget* dock : findChildren<QDockWidget*>()) {
            if (!dock->isHidden() && !m_parkedDocks.contains(dock)) {
                m_parkedDocks.append(dock);
                dock->hide();
            }
        }
    } else {
        for (QDockWidget* dock : std::as_const(m_parkedDocks))
            dock->show();
        m_parkedDocks.clear();
    }
}

void MainWindow::connectStartPage()
{
    m_demo = new DemoStoreWriter(this);
    m_startPage->setRecentStores(Settings::instance()->recentStores());
    connect(Settings::instance(), &Settings::recentStoresChanged, m_startPage, &StartPage::setRecentStores);
    connect(m_startPage, &StartPage::recentRequested, this, [this](const QString& a) { openStore(a); });
    connect(m_startPage, &StartPage::openFileRequested, this, [this] { openDialog(false); });
    connect(m_startPage, &StartPage::connectRequested, this, [this] { openDialog(true); });
    connect(m_startPage, &StartPage::demoRequested, m_demo, &DemoStoreWriter::ensure);
    connect(m_demo, &DemoStoreWriter::progress, m_startPage,
        [this](int percent) { m_startPage->setDemoBusy(true, tr("Writing the demo store… %1%").arg(percent)); });
    connect(m_demo, &DemoStoreWriter::ready, this, [this](const QString& path) {
        m_startPage->setDemoBusy(false);
        openStore(path);
    });
    connect(m_demo, &DemoStoreWriter::failed, this, [this](const QString& message) {
        m_startPage->setDemoBusy(false);
        showError(message);
    });
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList stores = Settings::instance()->recentStores();
    for (const QString& address : stores) {
        auto* a
            = m_recentMenu->addAction(QFileInfo(address).fileName().isEmpty() ? address : QFileInfo(address).fileName(),
                this, [this, address] { openStore(address); });
        a->setToolTip(address);
        a->setStatusTip(address);
    }
    if (!stores.isEmpty())
        m_recentMenu->addSeparator();
    auto* clear = m_recentMenu->addAction(tr("Clear List"), Settings::instance(), &Settings::clearRecentStores);
    clear->setEnabled(!stores.isEmpty());
}

void MainWindow::openStore(const QString& address, const OpenOptions& options)
{
    if (m_opening) {
        m_opening->cancelAll();
        m_opening->deleteLater();
    }
    auto* session = new StoreSession(StoreOpener { address, options }, this);
    m_opening = session;
    statusBar()->showMessage(tr("Opening %1…").arg(Settings::redactedAddress(address)));
    setBusy(true);
    session->run<StoreInfo>(
        StoreSession::Lane::Interactive, this, [](EventStore& store) { return store.info(false); },
        [this, session](StoreInfo info) {
            if (m_opening != session) {
                session->deleteLater();
                return;
            }
            m_opening = nullptr;
            adopt(session, info);
        },
        [this, session, address, options](const Failure& failure) {
            const bool current = m_opening == session;
            session->deleteLater();
            if (!current)
                return;
            m_opening = nullptr;
            setBusy(m_session && m_session->isBusy());
            statusBar()->clearMessage();
            showError(tr("Could not open %1: %2").arg(Settings::redactedAddress(address), failure.message));
            Q_EMIT storeFailed(failure);
            if (failure.kind == Failure::Kind::UnknownLayout && options.profile.isEmpty()
                && options.mappingFile.isEmpty())
                QTimer::singleShot(0, this, [this, address, options] {
                    OpenOptions mapped = options;
                    if (MappingWizard::offer(this, address, options, &mapped.mappingFile))
                        openStore(address, mapped);
                });
        });
}

void MainWindow::adopt(StoreSession* session, const StoreInfo& info)
{
    StoreSession* old = m_session.data();
    m_session = session;
    m_info = info;
    if (m_info.address.isEmpty())
        m_info.address = Settings::redactedAddress(session->address());
    connect(session, &StoreSession::busyChanged, this, &MainWindow::setBusy);
    connect(session, &StoreSession::connectionFailed, this, &MainWindow::showFailure);
    connect(session, &StoreSession::disconnected, this, &MainWindow::showDisconnected);
    connect(session, &StoreSession::reconnected, this, &MainWindow::showReconnected);
    m_banner->dismiss();
    statusBar()->clearMessage();
    m_inspector->setEvent(std::nullopt);
    m_inspector->setSession(session);
    m_flows->setSession(session);
    m_eventView->filterBar()->clear();
    m_eventView->setSession(session, ViewScope::all());
    m_streamBrowser->setSession(session);
    m_projections->setSession(session);
    m_activity->setSession(session);
    m_types->setSession(session);
    m_reconcile->setSession(session);
    if (old) {
        old->cancelAll();
        old->deleteLater();
    }
    Settings* settings = Settings::instance();
    settings->addRecentStore(session->address());
    const QFileInfo file(session->address());
    if (file.exists())
        settings->setLastDirectory(file.absolutePath());

    const QString name = file.exists() ? file.fileName() : m_info.address;
    setWindowTitle(tr("%1 — EventScope").arg(name));
    for (QAction* a : m_storeActions)
        a->setEnabled(true);
    m_pages->setCurrentIndex(1);
    parkDocks(false);
    setBusy(session->isBusy());
    updateStatus();
    Q_EMIT storeOpened(m_info);
    countStore();
}

void MainWindow::countStore()
{
    // Counting millions of events takes seconds: the store opens without the counts and they follow.
    StoreSession* session = m_session.data();
    if (!session)
        return;
    // An estimate within a second first, on the same lane so the count replaces it.
    session->run<CountEstimate>(
        StoreSession::Lane::Background, this, [](EventStore& store) { return store.estimateCount({}); },
        [this, session](CountEstimate estimate) {
            if (m_session != session || m_info.eventCount >= 0)
                return;
            m_info.eventCount = estimate.count;
            m_info.eventCountEstimated = estimate.estimated;
            updateStatus();
            Q_EMIT storeEstimated(m_info);
        });
    // The type names the filter completes, from an estimate by type in one bucket (as quick as the estimate above).
    session->run<QStringList>(
        StoreSession::Lane::Background, this,
        [](EventStore& store) {
            HistogramQuery q;
            q.groupBy = HistogramQuery::GroupBy::Type;
            q.bucketSeconds = qint64(100) * 366 * 24 * 3600;
            q.topN = 2000;
            QStringList names = store.estimateHistogram(q).groups;
            names.removeAll(Histogram::otherLabel());
            names.sort();
            return names;
        },
        [this, session](const QStringList& names) {
            if (m_session == session)
                m_eventView->filterBar()->setTypeNames(names);
        });
    session->run<StoreInfo>(
        StoreSession::Lane::Background, this, [](EventStore& store) { return counts::storeInfo(store, true); },
        [this, session](StoreInfo counted) {
            if (m_session != session)
                return;
            m_info.eventCount = counted.eventCount;
            m_info.eventCountEstimated = false;
            m_info.streamCount = counted.streamCount;
            updateStatus();
            Q_EMIT storeCounted(m_info);
        },
        [this, session](const Failure& failure) {
            if (m_session == session)
                m_countLabel->setToolTip(tr("Could not count the store: %1").arg(failure.message));
        });
}

void MainWindow::closeStore()
{
    StoreSession* old = m_session.data();
    if (!old)
        return;
    m_eventView->setSession(nullptr, ViewScope::all());
    m_streamBrowser->setSession(nullptr);
    m_projections->setSession(nullptr);
    m_activity->setSession(nullptr);
    m_types->setSession(nullptr);
    m_flows->setSession(nullptr);
    m_inspector->setEvent(std::nullopt);
    m_inspector->setSession(nullptr);
    m_session = nullptr;
    m_info = {};
    m_banner->dismiss();
    old->cancelAll();
    old->deleteLater();
    setWindowTitle(tr("EventScope"));
    if (m_follow->isFollowing())
        m_follow->action()->trigger();
    for (QAction* a : m_storeActions)
        a->setEnabled(false);
    m_pages->setCurrentIndex(0);
    parkDocks(true);
    setBusy(false);
    updateStatus();
}

void MainWindow::updateStatus()
{
    if (!m_session) {
        m_storeLabel->setText(tr("No store open"));
        m_storeLabel->setToolTip({});
        for (QLabel* l : { m_layoutLabel, m_countLabel, m_headLabel })
            l->hide();
        m_notesButton->hide();
        return;
    }
    const QFileInfo file(m_info.address);
    m_storeLabel->setText(tr("Store: %1").arg(file.exists() ? file.fileName() : m_info.address));
    m_storeLabel->setToolTip(m_info.address);
    // What the layout lacks or hides is worth knowing but not worth a banner on every open.
    QStringList about = m_info.notes;
    if (m_info.candidateLayouts.size() > 1)
        about.append(tr("Also matches: %1 (choose with File › Open Store…)")
                         .arg(m_info.candidateLayouts.join(QLatin1String(", "))));
    m_layoutLabel->setText(tr("Layout: %1").arg(m_info.layoutTitle.isEmpty() ? m_info.layout : m_info.layoutTitle));
    m_layoutLabel->setToolTip(about.join(QLatin1Char('\n')));
    m_notesButton->setToolTip(about.join(QLatin1Char('\n')));
    m_notesButton->setVisible(!about.isEmpty());
    QString count = m_info.eventCount < 0 ? tr("Events: counting…")
        : m_info.eventCountEstimated
        ? tr("Events: %1 (estimated) · counting…").arg(histogram::approximateCount(m_info.eventCount))
        : tr("Events: %1").arg(number(m_info.eventCount));
    if (m_info.eventCount >= 0 && m_info.streamCount >= 0)
        count += tr(" in %1 streams").arg(number(m_info.streamCount));
    m_countLabel->setText(count);
    const TailHeads heads = m_follow ? m_follow->heads() : TailHeads {};
    if (m_follow && m_follow->isFollowing() && (heads.visible > heads.settled || !heads.caveat.isEmpty())) {
        QString text = tr("Head %1 · settled %2").arg(number(heads.visible), number(heads.settled));
        const QString holders = describeHolders(heads.holders);
        if (!holders.isEmpty() && heads.visible > heads.settled)
            text += tr(" · held by %1").arg(holders);
        if (!heads.caveat.isEmpty())
            text += tr(" · %1").arg(heads.caveat.section(QLatin1Char(':'), 0, 0));
        m_headLabel->setText(text);
        QString tip = tr("Head: the highest position visible now. Settled: how far the tail has read in the store's "
                         "safe order. A transaction still open may yet commit events into the gaps below the head; "
                         "they are shown once it ends.");
        if (!holders.isEmpty())
            tip += u'\n' + tr("Held by: %1").arg(holders);
        if (!heads.caveat.isEmpty())
            tip += u'\n' + heads.caveat;
        m_headLabel->setToolTip(tip);
    } else {
        m_headLabel->setText(tr("Head: %1").arg(number(m_info.headPosition)));
        m_headLabel->setToolTip(
            m_info.lastTime.isValid() ? tr("Last event at %1").arg(Event::timeToIso(m_info.lastTime)) : QString());
    }
    for (QLabel* l : { m_layoutLabel, m_countLabel, m_headLabel })
        l->show();
}

void MainWindow::setBusy(bool busy)
{
    busy = busy || m_opening;
    if (busy) {
        if (!m_busyBar->isVisible() && !m_busyDelay->isActive())
            m_busyDelay->start();
    } else {
        m_busyDelay->stop();
        m_busyBar->hide();
        m_cancelButton->hide();
    }
}

void MainWindow::showError(const QString& message)
{
    m_banner->showMessage(message, MessageBanner::Kind::Error);
}

// While the session is disconnected every read fails alike: the session's own signals say so, once.
void MainWindow::showFailure(const Failure& failure)
{
    if (failure.isDisconnected() || failure.isCancelled() || (m_session && m_session->isDisconnected()))
        return;
    showError(failure.message);
}

void MainWindow::showDisconnected(const Failure&, int retryInMs)
{
    const QString text
        = tr("Disconnected from %1, retrying in %2 s…").arg(m_info.address).arg((retryInMs + 999) / 1000);
    m_banner->showMessage(text, MessageBanner::Kind::Warning);
    statusBar()->showMessage(text);
}

// The views read again only now, so their state (scroll position, selection) survives the outage.
void MainWindow::showReconnected()
{
    m_banner->dismiss();
    statusBar()->showMessage(tr("Reconnected to %1").arg(m_info.address), 5000);
    m_eventView->reload();
    m_streamBrowser->setSession(m_session);
}

} // namespace es
