#pragma once

#include <QString>
#include <QStringList>

#include <functional>

namespace es {

struct SampleOptions {
    qint64 events = 200000;
    quint64 seed = 42;
    QString layout = QStringLiteral("emmett");
};

// Layouts writeSampleStore can write.
QStringList sampleLayouts();

// Creates a new store at path (refuses an existing file) holding the demo domain (see model/sampledomain.h) in the
// layout's real on-disk format. progress(done, total) returning false cancels; no file is left behind then, nor on
// failure. Throws StoreError (UnknownLayout for a layout it cannot write, Cancelled when cancelled).
void writeSampleStore(
    const QString& path, const SampleOptions& options, const std::function<bool(qint64, qint64)>& progress = {});

} // namespace es
