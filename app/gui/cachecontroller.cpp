#include "cachecontroller.h"

#include "cache/summarycache.h"

#include <QAction>
#include <QCoreApplication>
#include <QFileInfo>
#include <QLocale>
#include <QMessageBox>
#include <QPointer>
#include <QThreadPool>
#include <QWidget>

namespace es {

CacheController::CacheController(QWidget* window)
    : QObject(window)
    , m_window(window)
    , m_clear(new QAction(tr("Clear &Cache…"), this))
{
    m_clear->setObjectName(QStringLiteral("clearCacheAction"));
    m_clear->setToolTip(tr("Forget the counts kept in the local summary cache (they are counted again when needed)"));
    connect(m_clear, &QAction::hovered, this, &CacheController::updateText);
    connect(m_clear, &QAction::triggered, this, &CacheController::confirmAndClear);
    updateText();
}

qint64 CacheController::cacheBytes()
{
    const QString path = SummaryCache::defaultPath();
    return QFileInfo(path).size() + QFileInfo(path + QStringLiteral("-wal")).size();
}

void CacheController::updateText()
{
    m_clear->setText(tr("Clear &Cache (%1)…").arg(QLocale().formattedDataSize(cacheBytes())));
}

void CacheController::confirmAndClear()
{
    const QString size = QLocale().formattedDataSize(cacheBytes());
    const auto answer = QMessageBox::question(m_window, tr("Clear Cache"),
        tr("Forget the counts EventScope keeps in its summary cache (%1)?\n\n%2\n\nStores are not touched; their "
           "counts are taken again when a view needs them.")
            .arg(size, SummaryCache::defaultPath()));
    if (answer == QMessageBox::Yes)
        clearNow();
}

void CacheController::clearNow()
{
    m_clear->setEnabled(false);
    QPointer<CacheController> self(this);
    const QString path = SummaryCache::defaultPath();
    QThreadPool::globalInstance()->start([self, path] {
        SummaryCache cache(path);
        cache.clear();
        const QString error = cache.error();
        const qint64 left = cache.stats().bytes;
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [self, error, left] {
                if (!self)
                    return;
                self->m_clear->setEnabled(true);
                self->updateText();
                Q_EMIT self->cleared(error.isEmpty()
                        ? tr("Summary cache cleared (%1 left).").arg(QLocale().formattedDataSize(left))
                        : tr("Could not clear the summary cache: %1").arg(error));
            },
            Qt::QueuedConnection);
    });
}

} // namespace es
