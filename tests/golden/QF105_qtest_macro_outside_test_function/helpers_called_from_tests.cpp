// Checks moved into helpers that the test functions call, as many legacy
// socket tests do: a failed check only leaves the helper.
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtTest/QtTest>

#define VERIFY_CONNECTED(socket) \
    QVERIFY2((socket).waitForConnected(1000), qPrintable((socket).errorString()))

static QString serverName()
{
    return QStringLiteral("qf105-helpers-") + QString::number(QCoreApplication::applicationPid());
}

static void startServer(QLocalServer &server)
{
    QLocalServer::removeServer(serverName());
    QVERIFY2(server.listen(serverName()), qPrintable(server.errorString()));
}

class tst_Helpers : public QObject
{
    Q_OBJECT
private slots:
    void sendOne();
    void connectSeveral();
    void listenOnly();
    void alreadyChecked();

private:
    void connectClient(QLocalSocket &client);
    void requireLocalSockets();
};

void tst_Helpers::connectClient(QLocalSocket &client)
{
    client.connectToServer(serverName());
    VERIFY_CONNECTED(client);
}

void tst_Helpers::requireLocalSockets()
{
    if (qEnvironmentVariableIsSet("QF105_NO_LOCAL_SOCKETS"))
        QSKIP("local sockets are disabled");
}

void tst_Helpers::sendOne()
{
    requireLocalSockets();
    QLocalServer server;
    startServer(server);
    QLocalSocket client;
    connectClient(client); // then the server side
    QVERIFY(server.waitForNewConnection(1000));
    QLocalSocket *peer = server.nextPendingConnection();
    QVERIFY(peer);
    QCOMPARE(client.write("hi"), qint64(2));
    QVERIFY(client.waitForBytesWritten(1000));
    QVERIFY(peer->bytesAvailable() > 0 || peer->waitForReadyRead(1000));
    QCOMPARE(peer->readAll(), QByteArray("hi"));
}

void tst_Helpers::connectSeveral()
{
    QLocalServer server;
    startServer(server);
    for (int i = 0; i < 3; ++i) {
        QLocalSocket client;
        connectClient(client);
        QCOMPARE(client.state(), QLocalSocket::ConnectedState);
    }
}

void tst_Helpers::listenOnly()
{
    QLocalServer server;
    startServer(server);
}

void tst_Helpers::alreadyChecked()
{
    QLocalServer server;
    startServer(server);
    if (QTest::currentTestFailed())
        return;
    QLocalSocket client;
    connectClient(client);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(server.waitForNewConnection(1000));
}

QTEST_MAIN(tst_Helpers)
#include "helpers_called_from_tests.moc"
