#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

class tst_LocalEcho : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void echo();
};

void tst_LocalEcho::init()
{
    // A crashed earlier run may have left the socket file behind.
    QLocalServer::removeServer("foo");
}

void tst_LocalEcho::echo()
{
    QLocalServer *server = new QLocalServer(this);
    QVERIFY(server->listen("foo"));

    QLocalSocket socket;
    socket.connectToServer("foo");
    QVERIFY(socket.waitForConnected(5000));
    QVERIFY(server->waitForNewConnection(5000));
    QLocalSocket *peer = server->nextPendingConnection();
    QVERIFY(peer);

    socket.write("ping\n");
    QVERIFY(socket.waitForBytesWritten(5000));
    QVERIFY(peer->canReadLine() || peer->waitForReadyRead(5000));
    QCOMPARE(peer->readLine(), QByteArray("ping\n"));
}

QTEST_MAIN(tst_LocalEcho)
#include "tst_listen_literal.moc"
