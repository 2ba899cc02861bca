// Runs a harness over every file of its seed corpus and over variations of them (truncations, byte flips), so
// scripts/test keeps each harness compiling and passing without a fuzzing engine. The real fuzzing runs with clang:
// see tests/fuzz/README.md.
#include "fuzz.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    const QDir dir(QString::fromLocal8Bit(argv[1]));
    const QStringList files = dir.entryList(QDir::Files, QDir::Name);
    if (files.isEmpty()) {
        std::fprintf(stderr, "no seeds in %s\n", argv[1]);
        return 2;
    }
    QRandomGenerator random(42);
    int runs = 0;
    for (const QString& name : files) {
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::ReadOnly))
            return 2;
        const QByteArray seed = f.readAll();
        auto run = [&](const QByteArray& input) {
            LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.constData()), size_t(input.size()));
            ++runs;
        };
        run(seed);
        for (qsizetype cut = 0; cut < seed.size(); cut += std::max<qsizetype>(1, seed.size() / 16))
            run(seed.left(cut));
        for (int i = 0; i < 200 && !seed.isEmpty(); ++i) {
            QByteArray mutated = seed;
            const int flips = 1 + int(random.bounded(4));
            for (int k = 0; k < flips; ++k)
                mutated[qsizetype(random.bounded(quint32(mutated.size())))] = char(random.bounded(256));
            run(mutated);
        }
    }
    std::printf("%d inputs from %lld seeds: no oracle failed\n", runs, static_cast<long long>(files.size()));
    return 0;
}
