#pragma once

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QList>

namespace es {
class EventStore;
}

namespace es::cli {

class OutputWriter;

// `eventscope-cli fold`: replays one stream through a reducer and prints the state, a trace, or where a
// predicate first holds. Reads the stream in pages and folds as it goes; nothing is held but the state.
class FoldCommand {
public:
    FoldCommand();

    // The options only this command has (--stream, --profile... come from CliApplication).
    QList<QCommandLineOption> options() const;
    static QString help();
    // Returns an ExitCode; throws StoreError like the other commands.
    int run(const QCommandLineParser& parser, EventStore& store, const QString& stream, OutputWriter& out);

private:
    QCommandLineOption m_reducer;
    QCommandLineOption m_mergeByType;
    QCommandLineOption m_at;
    QCommandLineOption m_asOf;
    QCommandLineOption m_until;
    QCommandLineOption m_skipType;
    QCommandLineOption m_skipVersion;
    QCommandLineOption m_trace;
    QCommandLineOption m_memoryLimit;
};

} // namespace es::cli
