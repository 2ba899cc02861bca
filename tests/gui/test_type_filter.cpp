// The types field of the filter bar: completion from the store's types for the entry being typed, and patterns.
#include <catch2/catch.hpp>

#include "eventview.h"
#include "filterbar.h"
#include "mainwindow.h"
#include "models/eventtablemodel.h"
#include "samplewriter.h"
#include "settings.h"
#include "testutils.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace es;
using es::test::waitFor;

TEST_CASE("The types field completes the entry being typed from the store's types, and takes patterns",
    "[gui][filter][types]")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    const QString path = dir.filePath(QStringLiteral("s.sqlite"));
    writeSampleStore(path, SampleOptions { 600, 5, QStringLiteral("emmett") });
    MainWindow window;
    window.show();
    QSignalSpy opened(&window, &MainWindow::storeOpened);
    window.openStore(path);
    REQUIRE(waitFor([&] { return opened.count() == 1; }, 30000));
    FilterBar* bar = window.eventView()->filterBar();
    auto* completer = bar->findChild<QCompleter*>();
    REQUIRE(completer);
    REQUIRE(waitFor([&] { return completer->model()->rowCount() >= 3; }, 30000));
    const QString type = completer->model()->index(0, 0).data().toString();
    REQUIRE(type.size() > 4);

    // Typing the second entry offers the types containing what was typed, case-insensitively.
    QLineEdit* edit = bar->typesEdit();
    edit->setFocus();
    edit->clear();
    QTest::keyClicks(edit, QStringLiteral("Nothing, ") + type.mid(1, 3).toLower());
    REQUIRE(waitFor([&] { return completer->popup()->isVisible(); }, 5000));
    CHECK(completer->completionCount() >= 1);
    Q_EMIT completer->activated(type);
    CHECK(edit->text() == QStringLiteral("Nothing, ") + type);

    // A pattern is not completed, and filters the table to the types it matches.
    edit->clear();
    QTest::keyClicks(edit, type.left(3) + u'*');
    CHECK_FALSE(completer->popup()->isVisible());
    bar->apply();
    auto* model = window.eventView()->model();
    REQUIRE(waitFor([&] { return !model->isLoading() && model->rowCount() > 0; }, 30000));
    CHECK(model->filter().types == QStringList { type.left(3) + u'*' });
    for (int row = 0; row < std::min(model->rowCount(), 20); ++row) {
        std::optional<Event> e;
        REQUIRE(waitFor([&] { return (e = model->eventAt(row)).has_value(); }, 30000));
        CHECK(e->type.startsWith(type.left(3)));
    }
    Settings::useFile({});
}
