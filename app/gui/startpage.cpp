#include "startpage.h"

#include "settings.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

namespace es {

namespace {

QString displayName(const QString& address)
{
    const QFileInfo file(address);
    if (file.isAbsolute() && !file.fileName().isEmpty())
        return file.fileName();
    return address;
}

} // namespace

StartPage::StartPage(QWidget* parent)
    : QWidget(parent)
    , m_recent(new QListWidget(this))
    , m_recentTitle(new QLabel(tr("Recent stores"), this))
    , m_demo(new QPushButton(tr("Open the &demo store"), this))
    , m_file(new QPushButton(tr("Open a &SQLite file…"), this))
    , m_connect(new QPushButton(tr("Connect to &PostgreSQL…"), this))
{
    setObjectName(QStringLiteral("startPage"));
    auto* title
        = new QLabel(tr("<h2>Open an event store</h2>"
                        "<p>EventScope reads SQLite files and PostgreSQL databases written by Emmett, Message DB, "
                        "Marten, Eventuous, Axon, Rails Event Store, Commanded, Python eventsourcing and "
                        "cqrs-es, or any table described by a mapping file. It never writes to them.</p>"),
            this);
    title->setWordWrap(true);
    title->setTextFormat(Qt::RichText);

    m_demo->setObjectName(QStringLiteral("startDemo"));
    m_demo->setToolTip(tr("A store of accounts, orders and shipments written for trying EventScope out (created "
                          "once in your data folder)"));
    m_file->setObjectName(QStringLiteral("startFile"));
    m_file->setIcon(style()->standardIcon(QStyle::SP_DialogOpenButton));
    m_connect->setObjectName(QStringLiteral("startConnect"));
    m_connect->setIcon(style()->standardIcon(QStyle::SP_DriveNetIcon));
    for (QPushButton* b : { m_demo, m_file, m_connect })
        b->setMinimumHeight(32);

    m_recent->setObjectName(QStringLiteral("startRecent"));
    m_recent->setAlternatingRowColors(true);
    m_recentTitle->setBuddy(m_recent);
    QFont bold = m_recentTitle->font();
    bold.setBold(true);
    m_recentTitle->setFont(bold);

    auto* buttons = new QVBoxLayout;
    buttons->addWidget(m_demo);
    buttons->addWidget(m_file);
    buttons->addWidget(m_connect);
    buttons->addStretch(1);

    auto* recent = new QVBoxLayout;
    recent->addWidget(m_recentTitle);
    recent->addWidget(m_recent, 1);

    auto* columns = new QHBoxLayout;
    columns->addLayout(buttons, 2);
    columns->addSpacing(24);
    columns->addLayout(recent, 3);

    auto* inner = new QVBoxLayout;
    inner->addWidget(title);
    inner->addSpacing(12);
    inner->addLayout(columns, 1);

    // Centred and no wider than reads well, whatever the window's size.
    auto* frame = new QWidget(this);
    frame->setLayout(inner);
    frame->setMaximumWidth(820);
    auto* outer = new QHBoxLayout(this);
    outer->addStretch(1);
    outer->addWidget(frame, 8);
    outer->addStretch(1);
    outer->setContentsMargins(24, 24, 24, 24);

    connect(m_demo, &QPushButton::clicked, this, &StartPage::demoRequested);
    connect(m_file, &QPushButton::clicked, this, &StartPage::openFileRequested);
    connect(m_connect, &QPushButton::clicked, this, &StartPage::connectRequested);
    connect(m_recent, &QListWidget::itemActivated, this, &StartPage::openCurrent);
    setRecentStores({});
}

void StartPage::setRecentStores(const QStringList& addresses)
{
    m_recent->clear();
    for (const QString& address : addresses) {
        auto* item = new QListWidgetItem(displayName(address), m_recent);
        item->setData(Qt::UserRole, address);
        item->setToolTip(address);
        if (displayName(address) != address)
            item->setText(tr("%1 — %2").arg(displayName(address), QFileInfo(address).absolutePath()));
    }
    if (addresses.isEmpty()) {
        auto* item = new QListWidgetItem(tr("No stores opened yet"), m_recent);
        item->setFlags(Qt::NoItemFlags);
    } else {
        m_recent->setCurrentRow(0);
    }
}

void StartPage::setDemoBusy(bool busy, const QString& text)
{
    m_demo->setEnabled(!busy);
    m_demo->setText(busy ? text : tr("Open the &demo store"));
}

void StartPage::openCurrent()
{
    const QListWidgetItem* item = m_recent->currentItem();
    if (!item)
        return;
    const QString address = item->data(Qt::UserRole).toString();
    if (!address.isEmpty())
        Q_EMIT recentRequested(address);
}

} // namespace es
