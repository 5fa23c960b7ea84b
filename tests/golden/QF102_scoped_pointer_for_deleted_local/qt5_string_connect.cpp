#include <QtCore/QObject>
#include <QtNetwork/QLocalSocket>

class Client : public QObject
{
    Q_OBJECT
public:
    bool probe(const QString &name)
    {
        QLocalSocket *socket = new QLocalSocket;
        if (name.isEmpty())
            return false;
        connect(socket, SIGNAL(connected()), this, SLOT(onConnected()));
        socket->connectToServer(name);
        const bool ok = socket->waitForConnected(1000);
        delete socket;
        return ok;
    }

private slots:
    void onConnected() { ++connections; }

private:
    int connections = 0;
};

#include "qt5_string_connect.moc"
