// Legacy Qt 4/5 style: SIGNAL/SLOT connects, slots on the test object.
#include <QtCore/QObject>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

class LegacyClient : public QObject
{
    Q_OBJECT
public:
    explicit LegacyClient(QObject *parent = 0) : QObject(parent), m_connections(0) {}

    void start(const QString &name)
    {
        QLocalSocket *socket = new QLocalSocket();
        connect(socket, SIGNAL(connected()), this, SLOT(onConnected()));
        connect(socket, SIGNAL(readyRead()), SLOT(onReadyRead()));
        socket->connectToServer(name);

        QLocalSocket *temporary = new QLocalSocket;
        connect(temporary, SIGNAL(disconnected()), temporary, SLOT(deleteLater()));
        temporary->connectToServer(name);

        QLocalServer *server = new QLocalServer;
        QObject::connect(server, SIGNAL(newConnection()), this, SLOT(onConnected()));
        server->listen(name + QLatin1String("-back"));
    }

private slots:
    void onConnected() { ++m_connections; }
    void onReadyRead() {}

private:
    int m_connections;
};

#include "qt5_string_connect.moc"
