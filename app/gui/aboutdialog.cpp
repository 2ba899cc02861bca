#include "aboutdialog.h"

#include "connectors.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#ifndef EVENTSCOPE_HOMEPAGE
#define EVENTSCOPE_HOMEPAGE "https://github.com/eventscope/eventscope"
#endif
#ifndef EVENTSCOPE_KEYCHAIN_VERSION
#define EVENTSCOPE_KEYCHAIN_VERSION ""
#endif

namespace es {

QString AboutDialog::homepage()
{
    return QStringLiteral(EVENTSCOPE_HOMEPAGE);
}

QList<std::pair<QString, QString>> AboutDialog::versions()
{
    QList<std::pair<QString, QString>> list { { QStringLiteral("Qt"), QString::fromLatin1(qVersion()) } };
    list += clientLibraryVersions();
    const QString keychain = QStringLiteral(EVENTSCOPE_KEYCHAIN_VERSION);
    list.append({ QStringLiteral("QtKeychain"), keychain.isEmpty() ? tr("(version unknown)") : keychain });
    return list;
}

AboutDialog::AboutDialog(QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("aboutDialog"));
    setWindowTitle(tr("About EventScope"));
    const QString home = homepage();

    auto* icon = new QLabel(this);
    icon->setPixmap(QApplication::windowIcon().pixmap(64, 64));
    icon->setAlignment(Qt::AlignTop);
    auto* title = new QLabel(tr("<h2>EventScope %1</h2><p>A read-only inspector for event-sourced stores. It never "
                                "writes to the stores it opens.</p>")
                                 .arg(QCoreApplication::applicationVersion()),
        this);
    title->setWordWrap(true);

    auto* versions = new QFormLayout;
    for (const auto& [name, version] : AboutDialog::versions()) {
        auto* value = new QLabel(version, this);
        value->setObjectName(QStringLiteral("version-") + name);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        versions->addRow(name + u':', value);
    }

    auto* links = new QLabel(
        tr("<p>Licence: <a href=\"https://www.gnu.org/licenses/gpl-3.0.html\">GNU GPL version 3 or later</a>. "
           "EventScope comes with no warranty.</p>"
           "<p><a href=\"%1\">Home page</a> · <a href=\"%1#readme\">Documentation</a> · "
           "<a href=\"%1/issues\">Report a problem</a></p>")
            .arg(home.toHtmlEscaped()),
        this);
    links->setObjectName(QStringLiteral("aboutLinks"));
    links->setOpenExternalLinks(true);
    links->setWordWrap(true);

    auto* text = new QVBoxLayout;
    text->addWidget(title);
    text->addLayout(versions);
    text->addWidget(links);
    auto* top = new QHBoxLayout;
    top->addWidget(icon);
    top->addLayout(text, 1);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto* aboutQt = buttons->addButton(tr("About Qt"), QDialogButtonBox::HelpRole);
    connect(aboutQt, &QPushButton::clicked, qApp, &QApplication::aboutQt);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(buttons);
    setMinimumWidth(460);
}

} // namespace es
