#include "singleinstance.h"

#include "settings.h"

#include <QCryptographicHash>
#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>

#include <unistd.h>

namespace es {

SingleInstance::SingleInstance(const QString& name, QObject* parent)
    : QObject(parent)
    , m_name(name)
    , m_server(new QLocalServer(this))
{
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    connect(m_server, &QLocalServer::newConnection, this, &SingleInstance::accept);
}

SingleInstance::~SingleInstance() = default;

QString SingleInstance::defaultName()
{
    const QByteArray settings
        = QCryptographicHash::hash(Settings::instance()->fileName().toUtf8(), QCryptographicHash::Sha1)
              .toHex()
              .left(12);
    return QStringLiteral("eventscope-%1-%2").arg(::getuid()).arg(QString::fromLatin1(settings));
}

bool SingleInstance::listen()
{
    if (m_server->isListening())
        return true;
    // Asked first: with user-only access QLocalServer binds elsewhere and renames the socket into place, which
    // would take the name from a running instance. A socket nobody answers on was left by one that crashed.
    QLocalSocket probe;
    probe.connectToServer(m_name);
    if (probe.waitForConnected(500))
        return false;
    QLocalServer::removeServer(m_name);
    return m_server->listen(m_name);
}

bool SingleInstance::isListening() const
{
    return m_server->isListening();
}

bool SingleInstance::send(const QString& name, const QString& message, int timeoutMs)
{
    const QByteArray bytes = message.toUtf8();
    if (bytes.size() > MaxMessageBytes || bytes.contains('\n'))
        return false;
    QLocalSocket socket;
    socket.connectToServer(name);
    if (!socket.waitForConnected(timeoutMs))
        return false;
    socket.write(bytes + '\n');
    if (!socket.waitForBytesWritten(timeoutMs))
        return false;
    QByteArray answer;
    while (!answer.contains('\n')) {
        if (!socket.waitForReadyRead(timeoutMs))
            return false;
        answer += socket.readAll();
    }
    return answer == "ok\n";
}

void SingleInstance::accept()
{
    while (QLocalSocket* socket = m_server->nextPendingConnection()) {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
            if (!socket->canReadLine()) {
                if (socket->bytesAvailable() > MaxMessageBytes)
                    socket->abort();
                return;
            }
            const QByteArray line = socket->readLine(MaxMessageBytes + 2).trimmed();
            socket->write("ok\n");
            socket->flush();
            socket->disconnectFromServer();
            Q_EMIT messageReceived(QString::fromUtf8(line));
        });
    }
}

} // namespace es
