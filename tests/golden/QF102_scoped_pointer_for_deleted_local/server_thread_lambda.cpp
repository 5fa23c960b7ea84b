// A server thread in the style of the reviewed QLocalSocket benchmark.
#include <QtCore/QThread>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

class EchoServerThread : public QThread
{
public:
    explicit EchoServerThread(const QString &name) : serverName(name) {}

protected:
    void run() override
    {
        QLocalServer *server = new QLocalServer();
        connect(server, &QLocalServer::newConnection, [this, server]() {
            QLocalSocket *peer = server->nextPendingConnection();
            connect(peer, &QLocalSocket::readyRead, [peer]() {
                peer->write(peer->readAll());
            });
        });
        if (!server->listen(serverName))
            return;
        exec();
        delete server;
    }

private:
    QString serverName;
};
