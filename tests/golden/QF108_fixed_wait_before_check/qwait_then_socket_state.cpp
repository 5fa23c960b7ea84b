// A fixed qWait before checking a socket's state: the state is latched (once
// connected it stays connected here), so the QTRY_* forms are safe fixes.
#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

#define CONNECT_WAIT_MS (2 * 250)

class tst_SocketState : public QObject
{
    Q_OBJECT

private slots:
    void connects();
    void connectsChecked();
    void connectsCompared();

private:
    static QString serverName() { return QStringLiteral("qf108-") + QUuid::createUuid().toString(QUuid::Id128); }
};

void tst_SocketState::connects()
{
    QLocalServer server;
    QVERIFY(server.listen(serverName()));
    QLocalSocket *socket = new QLocalSocket(this);
    socket->connectToServer(server.serverName());
    QTest::qWait(CONNECT_WAIT_MS);
    QVERIFY(socket->state() == QLocalSocket::ConnectedState);
    QVERIFY(server.hasPendingConnections());
    delete socket;
}

void tst_SocketState::connectsChecked()
{
    QLocalServer server;
    QVERIFY(server.listen(serverName()));
    QLocalSocket socket;
    socket.connectToServer(server.serverName());
    QTest::qWait(7000 /* the slowest CI machine */);
    QVERIFY2(socket.state() == QLocalSocket::ConnectedState, qPrintable(socket.errorString()));
}

void tst_SocketState::connectsCompared()
{
    QLocalServer server;
    QVERIFY(server.listen(serverName()));
    QLocalSocket socket;
    socket.connectToServer(server.serverName());
    QTest::qWait(300);  // let it connect
    QCOMPARE(socket.state(), QLocalSocket::ConnectedState);
}

QTEST_MAIN(tst_SocketState)
#include "qwait_then_socket_state.moc"
