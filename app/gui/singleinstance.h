#pragma once

#include <QObject>
#include <QString>

class QLocalServer;

namespace es {

// One EventScope window per user (and settings file) takes the links of later launches: the first process listens
// on a local socket only its user may open; a later `eventscope LINK` hands the link over and exits.
// Protocol: the client writes one line of UTF-8 (the link, at most MaxMessageBytes), the server answers "ok\n".
class SingleInstance : public QObject {
    Q_OBJECT
public:
    static constexpr int MaxMessageBytes = 65536;

    explicit SingleInstance(const QString& name = defaultName(), QObject* parent = nullptr);
    ~SingleInstance() override;

    // Per user, and per settings file so that separate settings (tests, --settings) are separate instances.
    static QString defaultName();
    // Becomes the instance that receives links; false when another one listens already (or the socket fails).
    bool listen();
    bool isListening() const;
    QString name() const { return m_name; }

    // Hands a message to the running instance; true once it confirmed. False when none runs (or it did not answer
    // within timeoutMs).
    static bool send(const QString& name, const QString& message, int timeoutMs = 3000);

Q_SIGNALS:
    void messageReceived(const QString& message);

private:
    void accept();

    QString m_name;
    QLocalServer* m_server;
};

} // namespace es
