#pragma once

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include <memory>

namespace es {
class EventStore;
}

namespace es::cli {

class OutputWriter;

// Exit codes, documented in --help.
enum ExitCode {
    Success = 0,
    ReadFailed = 1,
    BadArguments = 2,
    BadAddress = 3,
    UnknownLayout = 4,
    MissingTable = 5,
    Cancelled = 6,
    ReducerFailed = 7,
    PredicateNeverHeld = 8,
    DifferencesFound = 9,
};

// eventscope-cli: the command-line twin of the GUI, over the same es::EventStore interface.
class CliApplication {
public:
    CliApplication();
    ~CliApplication();

    int run(const QStringList& arguments);

private:
    enum class Command { None, Info, Streams, Events, Sample, Fold };

    void addOptions(QCommandLineParser& parser, Command command) const;
    int usageError(const QString& message) const;
    std::unique_ptr<EventStore> openStore(const QCommandLineParser& parser, const QString& address) const;

    int info(const QCommandLineParser& parser, const QString& address, OutputWriter& out);
    int streams(const QCommandLineParser& parser, const QString& address, OutputWriter& out);
    int events(const QCommandLineParser& parser, const QString& address, OutputWriter& out);
    int sample(const QCommandLineParser& parser, const QString& file);

    QCommandLineOption m_profile;
    QCommandLineOption m_mapping;
    QCommandLineOption m_schema;
    QCommandLineOption m_json;
    QCommandLineOption m_limit;
    QCommandLineOption m_prefix;
    QCommandLineOption m_contains;
    QCommandLineOption m_category;
    QCommandLineOption m_stream;
    QCommandLineOption m_from;
    QCommandLineOption m_type;
    QCommandLineOption m_filter;
    QCommandLineOption m_text;
    QCommandLineOption m_fromTime;
    QCommandLineOption m_toTime;
    QCommandLineOption m_events;
    QCommandLineOption m_seed;
    QCommandLineOption m_layout;
};

} // namespace es::cli
