// Calls whose failure the test expects or whose failure is the subject:
// a connection refused on purpose and checked with error() or state() a
// few statements later, a listen that must fail, a flush() on a socket
// that was never connected, a helper that crashes on purpose. Next to
// them, the same calls in a round trip that must succeed.
#include <QtCore/QElapsedTimer>
#include <QtCore/QScopedPointer>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

class tst_Expected : public QObject
{
    Q_OBJECT
private slots:
    void refused();
    void refusedCheckedNext();
    void refusedStateOnly();
    void portInUse();
    void flushUnconnected();
    void flushUnconnectedPointer();
    void roundTrip();
};

void tst_Expected::refused()
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, 1); // nothing listens there
    QElapsedTimer timer;
    timer.start();
    socket.waitForConnected(10000);
    QVERIFY(timer.elapsed() < 9900);
    QCOMPARE(socket.state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(socket.error(), QAbstractSocket::ConnectionRefusedError);
}

void tst_Expected::refusedCheckedNext()
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, 1);
    socket.waitForConnected(10000);
    QCOMPARE(socket.error(), QAbstractSocket::ConnectionRefusedError);
}

void tst_Expected::refusedStateOnly()
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, 1);
    socket.waitForConnected(10000);
    QVERIFY(!socket.isOpen() || socket.state() != QAbstractSocket::ConnectedState);
    QCOMPARE(socket.state(), QAbstractSocket::UnconnectedState);
}

void tst_Expected::portInUse()
{
    QTcpServer first;
    QVERIFY(first.listen(QHostAddress::LocalHost));
    QTcpServer second;
    second.listen(QHostAddress::LocalHost, first.serverPort());
    QCOMPARE(first.serverAddress(), QHostAddress(QHostAddress::LocalHost));
    QVERIFY(!second.isListening());
}

void tst_Expected::flushUnconnected()
{
    QTcpSocket socket;
    socket.flush(); // false by design: there is nothing to flush into
    connect(&socket, &QTcpSocket::connected, this, [] {});
    QCOMPARE(socket.state(), QAbstractSocket::UnconnectedState);
}

void tst_Expected::flushUnconnectedPointer()
{
    QScopedPointer<QTcpSocket> owner(new QTcpSocket);
    QTcpSocket *socket = new QTcpSocket(owner.data());
    socket->flush();
    QVERIFY(owner);
    QVERIFY(!socket->isOpen());
}

void tst_Expected::roundTrip()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost);
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    client.waitForConnected(3000);
    QVERIFY(server.waitForNewConnection(3000));
    QScopedPointer<QTcpSocket> peer(server.nextPendingConnection());
    QVERIFY(peer);
    const QByteArray ping("ping");
    client.write(ping);
    client.flush();
    QVERIFY(peer->waitForReadyRead(3000));
    QCOMPARE(peer->readAll(), ping);
    QCOMPARE(client.error(), QAbstractSocket::UnknownSocketError); // no error: not an expected failure
    QCOMPARE(client.state(), QAbstractSocket::ConnectedState);
}

// Never called: the shape of a helper process that crashes on purpose.
Q_DECL_UNUSED static void crashWhenConnected(QTcpSocket &socket)
{
    socket.waitForConnected(3000);
    qFatal("crashing on purpose");
}

QTEST_MAIN(tst_Expected)
#include "failure_expected.moc"
