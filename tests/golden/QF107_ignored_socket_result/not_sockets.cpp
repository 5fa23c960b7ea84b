// Calls named like socket operations that are not: a server subclass's own
// void write() slot, writes through a QIODevice pointer to a buffer or a
// file. Next to them, real ones: a QIODevice pointer that holds a socket
// and a server subclass's own bool listen() wrapper.
#include <QtCore/QBuffer>
#include <QtCore/QTemporaryFile>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtNetwork/QTcpServer>
#include <QtTest/QtTest>

class ReplyServer : public QTcpServer
{
    Q_OBJECT
public:
    int replies = 0;

public slots:
    void write() { ++replies; } // the class's own slot, nothing to ignore
    void reply() { write(); }
};

class NamedServer : public QLocalServer
{
    Q_OBJECT
public:
    bool listen(const QString &name)
    {
        removeServer(name);
        return QLocalServer::listen(name);
    }
};

static QString serverName()
{
    return QStringLiteral("qf107-devices-") + QString::number(QCoreApplication::applicationPid());
}

static void fill(QIODevice *device)
{
    device->write("from a helper"); // a parameter: could be anything
}

class tst_NotSockets : public QObject
{
    Q_OBJECT
private slots:
    void ownSlot();
    void buffer();
    void file();
    void deviceHoldingSocket();
};

void tst_NotSockets::ownSlot()
{
    ReplyServer server;
    server.reply();
    server.write();
    QCOMPARE(server.replies, 2);
}

void tst_NotSockets::buffer()
{
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    QIODevice *device = &buffer;
    device->write("x");
    fill(device);
    QCOMPARE(buffer.size(), qint64(14));
}

void tst_NotSockets::file()
{
    QTemporaryFile file;
    QVERIFY(file.open());
    file.write("data");
    file.flush();
    QCOMPARE(file.size(), qint64(4));
}

void tst_NotSockets::deviceHoldingSocket()
{
    NamedServer server;
    server.listen(serverName());
    QLocalSocket client;
    client.connectToServer(serverName());
    QVERIFY(client.waitForConnected(3000));
    QVERIFY(server.waitForNewConnection(3000));
    QLocalSocket *peer = server.nextPendingConnection();
    QVERIFY(peer);
    QIODevice *device = &client;
    device->write("over the socket");
    QTRY_COMPARE(peer->bytesAvailable(), qint64(15));
}

QTEST_MAIN(tst_NotSockets)
#include "not_sockets.moc"
