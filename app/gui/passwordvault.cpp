#include "passwordvault.h"

#include <QCoreApplication>
#include <QPointer>

#include <qt6keychain/keychain.h>

namespace es {

namespace {

const QString serviceName = QStringLiteral("io.eventscope.EventScope");

template <typename JobT> JobT* newJob(const QString& key)
{
    auto* job = new JobT(serviceName);
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never the plain-text QSettings store QtKeychain could fall back to
    job->setKey(key);
    return job;
}

bool backendMissing(QKeychain::Error error)
{
    return error != QKeychain::NoError && error != QKeychain::EntryNotFound;
}

// Said from the error code: QtKeychain's own text is often just "Unknown error".
QString reasonOf(const QKeychain::Job* job)
{
    switch (job->error()) {
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return PasswordVault::tr("no keyring service is installed");
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return PasswordVault::tr("the keyring denied access");
    default:
        return PasswordVault::tr("no Secret Service or KWallet answered");
    }
}

} // namespace

PasswordVault* PasswordVault::instance()
{
    static PasswordVault* vault = new PasswordVault(QCoreApplication::instance());
    return vault;
}

PasswordVault::PasswordVault(QObject* parent)
    : QObject(parent)
{
    if (qEnvironmentVariable("EVENTSCOPE_KEYRING") == QLatin1String("off"))
        setState(State::Unavailable, tr("turned off by EVENTSCOPE_KEYRING=off"));
}

void PasswordVault::setState(State state, const QString& reason)
{
    m_reason = reason;
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

QString PasswordVault::keyFor(const QString& connectionName)
{
    return QStringLiteral("postgresql/") + connectionName;
}

void PasswordVault::probe()
{
    if (m_state != State::Unknown)
        return;
    setState(State::Probing);
    auto* job = newJob<QKeychain::ReadPasswordJob>(QStringLiteral("probe"));
    connect(job, &QKeychain::Job::finished, this, [this](QKeychain::Job* j) {
        if (backendMissing(j->error()))
            setState(State::Unavailable, reasonOf(j));
        else
            setState(State::Available);
    });
    job->start();
}

void PasswordVault::read(
    const QString& key, QObject* context, std::function<void(const QString& password, bool found)> done)
{
    if (m_state == State::Unavailable) {
        done({}, false);
        return;
    }
    auto* job = newJob<QKeychain::ReadPasswordJob>(key);
    QPointer<QObject> guard(context);
    connect(job, &QKeychain::Job::finished, context, [this, guard, done = std::move(done)](QKeychain::Job* j) {
        if (backendMissing(j->error()) && j->error() != QKeychain::AccessDeniedByUser)
            setState(State::Unavailable, reasonOf(j));
        else if (m_state != State::Unavailable)
            setState(State::Available);
        if (!guard)
            return;
        const auto* reader = static_cast<QKeychain::ReadPasswordJob*>(j);
        done(reader->textData(), j->error() == QKeychain::NoError);
    });
    job->start();
}

void PasswordVault::write(
    const QString& key, const QString& password, QObject* context, std::function<void(const QString& error)> done)
{
    if (m_state == State::Unavailable) {
        done(tr("no keyring is available (%1)").arg(m_reason));
        return;
    }
    auto* job = newJob<QKeychain::WritePasswordJob>(key);
    job->setTextData(password);
    connect(job, &QKeychain::Job::finished, context, [this, done = std::move(done)](QKeychain::Job* j) {
        if (j->error() == QKeychain::NoBackendAvailable)
            setState(State::Unavailable, reasonOf(j));
        done(j->error() == QKeychain::NoError ? QString() : j->errorString());
    });
    job->start();
}

void PasswordVault::remove(const QString& key)
{
    if (m_state == State::Unavailable)
        return;
    newJob<QKeychain::DeletePasswordJob>(key)->start();
}

} // namespace es
