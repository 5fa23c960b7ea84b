// Echo round trips over QLocalSocket, in the style of an old test suite:
// fixed server names, hand-rolled waiting, and manual deletes.

#include <QtCore/QElapsedTimer>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtTest/QtTest>

#include "echoserver.h"

class tst_EchoChannel : public QObject
{
    Q_OBJECT
private slots:
    void acceptsConnection();
    void echoesPayloads();
    void echoWithDeadline();
    void rejectsEmptyName();
};

void tst_EchoChannel::acceptsConnection()
{
    QLocalServer::removeServer("echo-channel");
    QLocalServer server;
    QVERIFY(server.listen("echo-channel"));

    QLocalSocket client;
    client.connectToServer("echo-channel");
    while (!server.hasPendingConnections())
        QCoreApplication::processEvents();

    QLocalSocket *peer = server.nextPendingConnection();
    QVERIFY(peer);
    QCOMPARE(client.state(), QLocalSocket::ConnectedState);
}

void tst_EchoChannel::echoesPayloads()
{
    EchoServer server;
    server.startStatistics();
    QVERIFY(server.listen("echo-channel"));

    QLocalSocket *client = new QLocalSocket;
    client->connectToServer("echo-channel");
    QVERIFY(client->waitForConnected(3000));

    expectEcho(client, "hello");
    expectEcho(client, QByteArray(512, 'x'));
    QCOMPARE(server.echoed, qint64(5 + 512));

    client->disconnectFromServer();
    delete client;
}

void tst_EchoChannel::echoWithDeadline()
{
    EchoServer server;
    QVERIFY(server.listen("echo-channel"));

    QLocalSocket client;
    client.connectToServer("echo-channel");
    QVERIFY(client.waitForConnected(3000));
    client.write("tick");

    // Already bounded: this loop is fine as it is and must stay untouched.
    QElapsedTimer timer;
    timer.start();
    while (client.bytesAvailable() == 0 && timer.elapsed() < 3000)
        QCoreApplication::processEvents();
    QCOMPARE(client.readAll(), QByteArray("tick"));
}

void tst_EchoChannel::rejectsEmptyName()
{
    // A deliberately bad name: the failure is what this test checks.
    QLocalServer server;
    QVERIFY(!server.listen(""));
    QCOMPARE(server.serverError(), QAbstractSocket::HostNotFoundError);
}

QTEST_MAIN(tst_EchoChannel)
#include "tst_echochannel.moc"
