// A client/server session in one thread with a hand-deleted server, a
// hard-coded name shared by setServerName/removeServer, and a wait loop.
#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

class tst_EchoSession : public QObject
{
    Q_OBJECT
private slots:
    void echo();
    void cleanupTestCase();
};

void tst_EchoSession::echo()
{
    QLocalServer::removeServer(QStringLiteral("qtfix-echo"));
    QLocalServer *server = new QLocalServer;
    server->setSocketOptions(QLocalServer::UserAccessOption);
    QVERIFY(server->listen(QStringLiteral("qtfix-echo")));
    QSignalSpy newConnections(server, &QLocalServer::newConnection);

    QLocalSocket client;
    client.connectToServer(QStringLiteral("qtfix-echo"));
    while (client.state() != QLocalSocket::ConnectedState)
        ;
    QVERIFY(server->waitForNewConnection(5000));
    QLocalSocket *peer = server->nextPendingConnection();
    QVERIFY(peer);
    QCOMPARE(newConnections.count(), 1);

    client.write("hello");
    QVERIFY(client.waitForBytesWritten(5000));
    QVERIFY(peer->waitForReadyRead(5000));
    QCOMPARE(peer->readAll(), QByteArray("hello"));
    delete server;
}

void tst_EchoSession::cleanupTestCase()
{
    QLocalSocket late;
    late.connectToServer(QStringLiteral("qtfix-echo"));
    QVERIFY(!late.waitForConnected(100));
}

QTEST_MAIN(tst_EchoSession)
#include "tst_echosession.moc"
