// Selecting an event with a big payload in the inspector: time to the first picture, time until the tree shows, the
// longest the GUI thread stopped answering, and the peak RSS.
//
//   bench_payload --write 500 /tmp/big500.sqlite   (an Emmett store: two small events, then one with a ~500 MB payload)
//   QT_QPA_PLATFORM=offscreen bench_payload /tmp/big500.sqlite
//
// The event is read first (what the table's page job does on its lane), then handed to the inspector the way the main
// window does: EventInspector::setEvent on the GUI thread, the inspector on a session of the same store.
#include "../core/test_sqlite_support.h"

#include "connectors.h"
#include "eventinspector.h"
#include "models/jsontreemodel.h"
#include "payloadview.h"
#include "store/storesession.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTimer>

#include <cstdio>
#include <sys/resource.h>

using namespace es;

namespace {

long peakRssMb()
{
    struct rusage ru { };
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

long currentRssMb()
{
    QFile f(QStringLiteral("/proc/self/statm"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> parts = f.readAll().split(' ');
    return parts.size() > 1 ? parts[1].toLong() * 4 / 1024 : -1;
}

// A JSON array of order lines, about `megabytes` MB.
QByteArray bigJson(qsizetype megabytes)
{
    const qsizetype target = megabytes << 20;
    QByteArray b;
    b.reserve(target + 256);
    b.append("{\"orderId\":\"o-1\",\"lines\":[");
    for (int i = 0; b.size() < target; ++i) {
        if (i)
            b.append(',');
        b.append("{\"sku\":\"SKU-")
            .append(QByteArray::number(i))
            .append("\",\"qty\":")
            .append(QByteArray::number(i % 7));
        b.append(",\"price\":12.5,\"tags\":[\"a\",\"b\"],\"note\":\"caf\\u00e9 line\"}");
    }
    b.append("]}");
    return b;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc == 4 && qstrcmp(argv[1], "--write") == 0) {
        const QString path = QString::fromLocal8Bit(argv[3]);
        QFile::remove(path);
        test::EmmettWriter w(path);
        using Msg = test::EmmettWriter::Message;
        w.append(QStringLiteral("order-1"), { Msg { QStringLiteral("OrderOpened"), R"({"n":1})" } });
        w.append(QStringLiteral("order-1"), { Msg { QStringLiteral("NoteAdded"), R"({"n":2})" } });
        w.append(QStringLiteral("order-1"), { Msg { QStringLiteral("LinesImported"), bigJson(atoi(argv[2])) } });
        std::printf("wrote %s\n", argv[3]);
        return 0;
    }
    if (argc != 2) {
        std::fprintf(stderr, "usage: bench_payload --write MB FILE | bench_payload FILE\n");
        return 2;
    }
    QApplication app(argc, argv);
    registerConnectors();
    const QString path = QString::fromLocal8Bit(argv[1]);

    QElapsedTimer clock;
    clock.start();
    auto store = StoreRegistry::open(path);
    EventQuery q;
    q.limit = 10;
    const EventPage page = store->events(q);
    const Event event = page.events.back();
    std::printf("read %d events, the last with %lld bytes of data (%s) in %lld ms; rss %ld MB, peak %ld MB\n",
        int(page.events.size()), qint64(event.data.bytes.size()), qPrintable(event.data.encodingName()),
        clock.elapsed(), currentRssMb(), peakRssMb());
    store.reset();

    StoreSession session(StoreOpener { path, {} });
    EventInspector inspector;
    inspector.resize(500, 700);
    inspector.setSession(&session);
    inspector.show();
    QApplication::processEvents();

    qint64 maxGap = 0;
    qint64 last = 0;
    QElapsedTimer ticks;
    QTimer ticker;
    ticker.setInterval(5);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        const qint64 now = ticks.elapsed();
        maxGap = std::max(maxGap, now - last);
        last = now;
    });

    clock.restart();
    ticks.start();
    ticker.start();
    inspector.setEvent(event);
    const qint64 setEventMs = clock.elapsed();
    QApplication::processEvents(); // the first picture
    const qint64 firstPictureMs = clock.elapsed();
    const JsonTreeModel* tree = inspector.dataView()->treeModel();
    while (tree->rowCount() == 0 || inspector.dataView()->isLoading()) {
        QApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
        if (clock.elapsed() > 600000)
            break;
    }
    const qint64 treeMs = clock.elapsed();
    QElapsedTimer settle;
    settle.start();
    while (settle.elapsed() < 200)
        QApplication::processEvents(QEventLoop::AllEvents, 20);
    std::printf("setEvent returned after %lld ms; first picture %lld ms; tree (%d top rows) after %lld ms; longest "
                "event-loop gap %lld ms; rss %ld MB, peak %ld MB\n",
        setEventMs, firstPictureMs, tree->rowCount(), treeMs, maxGap, currentRssMb(), peakRssMb());
    return 0;
}
