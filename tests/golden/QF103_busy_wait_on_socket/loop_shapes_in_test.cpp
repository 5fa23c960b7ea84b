// do/while, for (;;) and while (true) with `if (ready) break;`, and sleep
// polling: each waits for a peer served in the same test, so it passes before
// and after the fix.
#include <QtTest/QtTest>
#include <QtCore/QUuid>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

static QString uniqueName()
{
    return QStringLiteral("tst_LoopShapes-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
}

class tst_LoopShapes : public QObject
{
    Q_OBJECT
private slots:
    void doWhileConnecting();
    void forBreakOnConnected();
    void whileTrueBreakOnLine();
    void sleepUntilConnected();
};

void tst_LoopShapes::doWhileConnecting()
{
    QLocalServer server;
    QVERIFY(server.listen(uniqueName()));
    QLocalSocket socket;
    socket.connectToServer(server.fullServerName());
    do {
        QCoreApplication::processEvents();
    } while (socket.state() == QLocalSocket::ConnectingState);
    QCOMPARE(socket.state(), QLocalSocket::ConnectedState);
}

void tst_LoopShapes::forBreakOnConnected()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, server.serverPort());
    for (;;) {
        if (socket.state() == QAbstractSocket::ConnectedState)
            break;
        QCoreApplication::processEvents();
    }
    QVERIFY(server.hasPendingConnections() || server.waitForNewConnection(5000));
}

void tst_LoopShapes::whileTrueBreakOnLine()
{
    QLocalServer server;
    QVERIFY(server.listen(uniqueName()));
    QLocalSocket client;
    client.connectToServer(server.fullServerName());
    QVERIFY(client.waitForConnected(5000));
    QVERIFY(server.waitForNewConnection(5000));
    QLocalSocket *peer = server.nextPendingConnection();
    QVERIFY(peer);
    QCOMPARE(peer->write("hello\n"), qint64(6));
    while (true) {
        QTest::qWait(5);
        if (client.canReadLine())
            break;
    }
    QCOMPARE(client.readLine(), QByteArray("hello\n"));
}

void tst_LoopShapes::sleepUntilConnected()
{
    QLocalServer server;
    QVERIFY(server.listen(uniqueName()));
    QLocalSocket socket;
    socket.connectToServer(server.fullServerName());
    while (socket.state() != QLocalSocket::ConnectedState)
        QThread::msleep(5);
    QVERIFY(server.waitForNewConnection(5000));
}

QTEST_MAIN(tst_LoopShapes)
#include "loop_shapes_in_test.moc"
