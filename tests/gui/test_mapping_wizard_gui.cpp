// The mapping wizard dialog on a store no profile matches: tables, proposed roles, preview, an edit, and the store
// opened in the main window with the saved mapping (issue 19).
#include <catch2/catch.hpp>

#include "core/test_composite_support.h"
#include "eventview.h"
#include "mainwindow.h"
#include "mappingwizard.h"
#include "models/eventtablemodel.h"
#include "testutils.h"

#include <QJsonDocument>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTreeWidget>

using namespace es;
using namespace es::test;

namespace {

constexpr int Timeout = 30000;

QStringList compositeRows()
{
    QStringList rows;
    qint64 position = 0;
    for (const CompositeEvent& e : compositeEvents())
        rows.append(QStringLiteral("%1 %2@%3 %4")
                        .arg(++position)
                        .arg(compositeStream(e))
                        .arg(e.version)
                        .arg(QString::fromLatin1(e.type)));
    return rows;
}

} // namespace

TEST_CASE("mapping wizard: proposes, previews, takes an edit and saves a mapping that opens", "[gui][mapping]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("aggregates.sqlite"));
    for (const QString& statement : compositeStoreSql(false))
        execSqlite(path, statement);

    MappingWizard wizard(path, {});
    QSignalSpy previewed(&wizard, &MappingWizard::previewed);
    REQUIRE(waitFor([&] { return !wizard.isLoading() && previewed.count() > 0; }, Timeout));
    auto* tables = wizard.findChild<QTreeWidget*>(QStringLiteral("mappingTables"));
    REQUIRE(tables);
    CHECK(tables->topLevelItemCount() == 2);
    CHECK(tables->topLevelItem(0)->text(2) == QLatin1String("7"));
    CHECK(wizard.proposal().expression(QStringLiteral("stream"))
        == QLatin1String("aggregate_name || '-' || aggregate_id"));
    CHECK(wizard.previewRows() == compositeRows());

    // An edit in the roles table reaches the proposal and the next preview.
    auto* roles = wizard.findChild<QTableWidget*>(QStringLiteral("mappingRoles"));
    REQUIRE(roles);
    int versionRow = -1;
    for (int r = 0; r < roles->rowCount(); ++r)
        versionRow = roles->item(r, 0)->text().startsWith(QLatin1String("version")) ? r : versionRow;
    REQUIRE(versionRow >= 0);
    roles->item(versionRow, 1)->setText(QStringLiteral("version + 1"));
    CHECK(wizard.proposal().expression(QStringLiteral("version")) == QLatin1String("version + 1"));
    CHECK(wizard.proposal().role(QStringLiteral("version")).reason == QLatin1String("set by hand"));
    const int before = previewed.count();
    auto* previewButton = [&]() -> QPushButton* {
        for (auto* b : wizard.findChildren<QPushButton*>())
            if (b->text() == QLatin1String("Preview"))
                return b;
        return nullptr;
    }();
    REQUIRE(previewButton);
    previewButton->click();
    REQUIRE(waitFor([&] { return previewed.count() > before; }, Timeout));
    REQUIRE(wizard.previewRows().size() == 7);
    CHECK(wizard.previewRows().front().contains(QLatin1String("@1 OrderPlaced")));

    // A broken expression: the preview says why instead of showing events.
    roles->item(versionRow, 1)->setText(QStringLiteral("no_such_column"));
    previewButton->click();
    REQUIRE(waitFor([&] { return previewed.count() > before + 1; }, Timeout));
    CHECK(wizard.previewRows().isEmpty());

    // The proposal written as a mapping opens in the main window.
    roles->item(versionRow, 1)->setText(QStringLiteral("version"));
    const QString mapping = tempPath(dir, QStringLiteral("saved.json"));
    {
        QFile f(mapping);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(wizard.proposal().toMappingJson()).toJson());
    }
    MainWindow window;
    QSignalSpy opened(&window, &MainWindow::storeOpened);
    OpenOptions options;
    options.mappingFile = mapping;
    window.openStore(path, options);
    REQUIRE(waitFor([&] { return opened.count() == 1; }, Timeout));
    auto* model = window.eventView()->model();
    REQUIRE(waitFor([&] { return !model->isLoading() && model->rowCount() == 7; }, Timeout));
}
