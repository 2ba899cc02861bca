#pragma once

#include "reducer.h"

#include <QJSEngine>
#include <QJSValue>
#include <QStringList>

namespace es {

class Watchdog;

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

// The fold of a JsReducer. Events go into the engine in batches: types and data as one JSON text parsed by the
// engine, the envelope and metadata as texts parsed only when a handler reads them. The state stays in the engine.
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

    // Messages from log()/console.*, oldest first (bounded).
    QStringList takeLog();
    void setBudgetMs(int ms) { m_budgetMs = ms; }
    // Events per call into the engine.
    void setBatchSize(int n) { m_batchSize = qMax(1, n); }

private:
    void buildBatch(const Event* events, qsizetype count);
    ReducerError errorFrom(const QJSValue& thrown, ReducerError::Kind kind) const;
    int runBatch(const Event* events, qsizetype count, bool save, qsizetype* failedAt, ReducerError* error);

    QJSEngine m_engine;
    std::unique_ptr<Watchdog> m_watchdog;
    QJSValue m_driver;
    QJSValue m_fold;
    QJSValue m_get;
    QJSValue m_set;
    QJSValue m_reset;
    QJSValue m_setPredicate;
    QString m_fileName;
    int m_budgetMs;
    int m_batchSize = 2048;
    QByteArray m_batch;
    QByteArray m_env;
    QByteArray m_meta;
    QString m_lastStream;
    QByteArray m_lastStreamJson;
};

} // namespace es
