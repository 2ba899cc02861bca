#pragma once

// A reducer written in JavaScript (JsReducer) and its fold, which runs it in a QJSEngine (JsFold).

#include "fold/js/watchdog.h"
#include "fold/reducer.h"

#include <QHash>
#include <QJSEngine>
#include <QJSValue>
#include <QStringList>

#include <vector>

namespace es {

// A JavaScript reducer in the style of EventStoreDB projections: handlers `$init`, one per event type
// `(state, event) => newState` (or mutate state and return nothing), and `$any`. The handlers may be given by
// `fromAll()/fromStream(s)/fromCategory(c).when({...})`, `module.exports = {...}`, a bare object literal, or
// top-level functions. The engine has no file, network or module access; `log()`/`console.log()` are collected.
class JsReducer : public Reducer {
public:
    static constexpr int defaultBudgetMs = 2000;

    explicit JsReducer(QString source, QString fileName = QStringLiteral("reducer.js"), int budgetMs = defaultBudgetMs);
    // Reads a .js file; on failure returns null and sets *error.
    static std::shared_ptr<JsReducer> fromFile(const QString& path, QString* error, int budgetMs = defaultBudgetMs);

    QString name() const override;
    QString source() const { return m_source; }
    QString fileName() const { return m_fileName; }
    int budgetMs() const { return m_budgetMs; }
    std::unique_ptr<Fold> createFold(ReducerError* error) const override;
    // Compiles the reducer in a throwaway engine: a syntax error or a throwing $init, or nothing.
    std::optional<ReducerError> check() const;

private:
    QString m_source;
    QString m_fileName;
    int m_budgetMs;
};

// The fold of a JsReducer. Events go into the engine in batches: type ids, shape ids and numbers in one
// Float64Array, strings as one JSON text, and each data payload rebuilt in the engine by a compiled object literal
// of its shape (payloads that are large, deep or not JSON go whole as one JSON text parsed once). The envelope goes
// as numbers too; metadata and stream names are texts parsed only when a handler reads them, and cross only once a
// handler asks. Handlers run from a Function-constructor copy of the source where that gives the same handlers
// (recompiled()), and one event object serves a whole batch where the source cannot keep events (mayKeepEvents()).
// The state stays in the engine and crosses back as JSON text only when asked (snapshots, the view). The loop itself
// is driver.js, after the projection globals of prelude.js. Every call into the engine runs under the budget, since
// any of them can reach the reducer's code (a getter, a toJSON, a proxy, a replaced built-in).
class JsFold : public Fold {
public:
    explicit JsFold(int budgetMs = JsReducer::defaultBudgetMs);
    ~JsFold() override;

    bool load(const QString& source, const QString& fileName, ReducerError* error);

    std::optional<ReducerError> reset() override;
    QByteArray stateJson() override;
    bool setStateJson(const QByteArray& json) override;
    bool setStopPredicate(const QString& source, ReducerError* error) override;
    FoldResult apply(const Event* events, qsizetype count) override;
    using Fold::apply;
    // Up to a batch of events (setBatchSize) of many streams in ONE call into the engine, which resets the state at
    // each stream's start and hands every state back as JSON text. A stream whose reducer throws, whose state is
    // past the memory budget, or a call that runs past the budget (every stream of it then) is folded again on its
    // own by Fold::foldStreams, so its error and state are exactly those of reset() and apply(). With paths the
    // engine hands back only the JSON text of each path's value (the whole state where an object on a path is not
    // a plain object or array, or has toJSON, whose JSON only the whole state's serialisation can tell).
    void foldStreams(const Event* events, const qsizetype* ends, qsizetype streams, std::vector<StreamState>& out,
        const std::vector<QJsonArray>* paths = nullptr) override;
    // Only sources that name it are sent event.metadata (load() and setStopPredicate() look).
    bool readsMetadata() const override { return m_sendMetadata; }

    // False when reducer source surely lets go of each event object once its handler returns (JsSource): the fold
    // then reuses one event object per batch.
    static bool mayKeepEvents(QStringView source);

    // True when the handlers run from a second compilation of the source through the Function constructor, which
    // V4 compiles with inline caches for property access (QJSEngine::evaluate does not); the script's own handlers
    // still report errors.
    bool recompiled() const { return m_recompiled; }
    // Messages from log()/console.*, oldest first (bounded).
    QStringList takeLog();
    void setBudgetMs(int ms) { m_budgetMs = ms; }
    // Events per call into the engine.
    void setBatchSize(int n) { m_batchSize = qMax(1, n); }

private:
    // Runs `calls` (calls into the engine) under the budget; false when the watchdog stopped them.
    template <typename Calls> bool budgeted(Calls&& calls);
    // Disarms the watchdog and lets the engine run again; true when the call it watched was interrupted.
    bool interrupted();
    ReducerError timeout(const QString& what) const;
    bool restore();
    void buildBatch(const Event* events, qsizetype count);
    int typeId(const QString& type);
    int shapeOf(const QByteArray& json);
    ReducerError errorFrom(const QJSValue& thrown, ReducerError::Kind kind);
    int runBatch(const Event* events, qsizetype count, bool save, qsizetype* failedAt, ReducerError* error,
        bool scriptHandlers = false);

    QJSEngine m_engine;
    Watchdog m_watchdog { &m_engine };
    QJSValue m_prelude;
    QJSValue m_driver;
    QJSValue m_fold;
    QJSValue m_foldEach;
    QJSValue m_at;
    QJSValue m_restore;
    QJSValue m_get;
    QJSValue m_set;
    QJSValue m_reset;
    QJSValue m_setPredicate;
    QJSValue m_addType;
    QJSValue m_addShape;
    QString m_fileName;
    int m_budgetMs;
    int m_batchSize = 2048;
    qint64 m_sentMemoryBudget = 0; // the budget the driver has (D.limit)
    QByteArray m_batch;
    QByteArray m_env; // the batch's stream names
    std::vector<double> m_envNumbers;
    std::vector<double> m_ends; // foldStreams: where each stream's events end in the batch
    std::vector<QJsonArray> m_sentPaths; // the paths m_pathsValue holds
    QJSValue m_pathsValue; // foldStreams' paths as an array in the engine (null: whole states)
    QByteArray m_meta;
    QString m_lastStream;
    QHash<QString, int> m_typeIds; // type name -> index of the engine's type table
    int m_nullTypeId = -1;
    int m_typeCount = 0;
    bool m_sendMetadata = true;
    bool m_sendStreams = true;
    bool m_recompiled = false; // handlers run from a Function-constructor copy of the source
    static constexpr int maxShapes = 512;
    static constexpr qsizetype maxShapedBytes = 4096;
    QHash<QByteArray, int> m_shapes; // object literal text -> index of the engine's shape table, -1 when unusable
    int m_shapeCount = 0;
    QByteArray m_code;
    QByteArray m_lastShapeCode;
    int m_lastShape = -1;
    QByteArray m_strings;
    std::vector<double> m_numbers;
    QString m_lastType;
    int m_lastTypeId = -1;
};

} // namespace es
