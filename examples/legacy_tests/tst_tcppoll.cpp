// TCP on the loopback interface, with the polling loops that creep into
// tests when nobody remembers the waitFor...() functions.

#include <QtNetwork/QHostAddress>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

class tst_TcpPoll : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void connectsAndGreets();

private:
    QTcpServer *server = nullptr;
};

// Owned by the init()/cleanup() pair, so it needs no fix.
void tst_TcpPoll::init()
{
    server = new QTcpServer;
    QVERIFY(server->listen(QHostAddress::LocalHost));
}

void tst_TcpPoll::cleanup()
{
    delete server;
    server = nullptr;
}

void tst_TcpPoll::connectsAndGreets()
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, server->serverPort());
    while (socket.state() != QAbstractSocket::ConnectedState)
        QTest::qWait(10);

    while (!server->hasPendingConnections())
        qApp->processEvents();
    QTcpSocket *peer = server->nextPendingConnection();
    QVERIFY(peer);

    peer->write("hello");
    while (socket.bytesAvailable() == 0)
        qApp->processEvents();
    QCOMPARE(socket.readAll(), QByteArray("hello"));
}

QTEST_MAIN(tst_TcpPoll)
#include "tst_tcppoll.moc"
