#pragma once

#include "fold/reducer.h"
#include "store/failure.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace es {

// The reducers time travel offers: the two merge reducers (no code), the sample reducers compiled into the program
// (resources/reducers/*.js under :/reducers) and the user's own .js files in the application's data folders
// (AppDataLocation/reducers, the writable one first). A reducer is named by a key: "merge", "merge-by-type", or the
// path of its source, a resource path (":/reducers/accounts.js") or a file.
class ReducerCatalog {
public:
    struct Entry {
        enum class Kind { Merge, MergeByType, Sample, User };
        Kind kind = Kind::Merge;
        QString name; // what a picker shows
        QString key;
        QString folder; // where a JS reducer was found (":/reducers" for the samples); empty for the merge reducers
    };

    static const QString mergeKey;
    static const QString mergeByTypeKey;
    static const QString sampleFolder;

    // The merge reducers, the samples, then each user folder's reducers; by file name within a folder.
    static std::vector<Entry> entries();
    // Where the user's reducers go (it may not exist yet).
    static QString userFolder();
    // Every user reducer folder that exists, the writable one first.
    static QStringList userFolders();
    // The sample made for the stream's domain (accounts.js for account-1001), or the first JS reducer named after its
    // category; empty when none.
    static QString preferredFor(const std::vector<Entry>& entries, const QString& stream);
    // A file on disk, worth watching for saves (a compiled-in sample never changes).
    static bool isFile(const QString& key);
    enum class Check { Yes, No };
    // The reducer a key names: a merge reducer, or a JS reducer read and (with Check::Yes) test-compiled. Null with
    // *failure set (Io when the source cannot be read, ReducerError when it does not compile, or its top level or
    // $init throws or outruns the time budget). Compiling runs the reducer's top level: call it off the GUI thread
    // (TimeTravelEngine::load(key) does); with Check::No only the file is read.
    static ReducerPtr load(const QString& key, Failure* failure = nullptr, Check check = Check::Yes);
};

} // namespace es
