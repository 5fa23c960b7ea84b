// TCP flavour: a loopback server on an ephemeral port, spinning until the
// pending connection shows up, and a heap socket freed by hand.
#include <QtTest/QtTest>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

class tst_TcpAccept : public QObject
{
    Q_OBJECT
private slots:
    void acceptAndTalk();
    void localNameIsFree();
};

void tst_TcpAccept::acceptAndTalk()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QTcpSocket *client = new QTcpSocket;
    client->connectToHost(QHostAddress::LocalHost, server.serverPort());
    while (!server.hasPendingConnections())
        server.waitForNewConnection(10);
    QTcpSocket *peer = server.nextPendingConnection();
    QVERIFY(peer);
    QVERIFY(client->waitForConnected(5000));
    client->write("abc");
    QVERIFY(client->waitForBytesWritten(5000));
    QVERIFY(peer->waitForReadyRead(5000));
    QCOMPARE(peer->readAll(), QByteArray("abc"));
    delete client;
}

void tst_TcpAccept::localNameIsFree()
{
    QLocalServer local;
    QVERIFY(local.listen("tcpaccept-local"));
    QLocalSocket socket;
    socket.connectToServer("tcpaccept-local");
    QVERIFY(socket.waitForConnected(5000));
}

QTEST_MAIN(tst_TcpAccept)
#include "tst_tcpaccept.moc"
