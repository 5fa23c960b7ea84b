#include <QtTest/QtTest>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtNetwork/QUdpSocket>

// Nothing here is a fixed port a parallel run could collide on.
class tst_LeaveAlone : public QObject
{
    Q_OBJECT

private slots:
    void anyPort();
    void defaultPort();
    void computedPort();
    void writtenVariable();
    void privilegedPortRefused();
    void remoteHost();
    void udpAnyPort();

private:
    void listenOn(QTcpServer &server, quint16 port);
};

void tst_LeaveAlone::anyPort()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    QVERIFY(client.waitForConnected(5000));
}

void tst_LeaveAlone::defaultPort()
{
    QTcpServer server;
    QVERIFY(server.listen());
    QVERIFY(server.serverPort() != 0);
}

void tst_LeaveAlone::listenOn(QTcpServer &server, quint16 port)
{
    QVERIFY(server.listen(QHostAddress::LocalHost, port));
}

void tst_LeaveAlone::computedPort()
{
    QTcpServer first;
    QVERIFY(first.listen(QHostAddress::LocalHost));
    QTcpServer second;
    const quint16 next = quint16(first.serverPort() + 1);
    if (!second.listen(QHostAddress::LocalHost, next))
        QSKIP("the next port is taken");
    QTcpServer third;
    listenOn(third, 0);
}

void tst_LeaveAlone::writtenVariable()
{
    quint16 port = 49220;
    port = 0;
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, port));
}

// Expected to fail: a port below 1024 needs privileges (skipped as root).
void tst_LeaveAlone::privilegedPortRefused()
{
    QTcpServer server;
    if (server.listen(QHostAddress::LocalHost, 1))
        QSKIP("running with privileges");
    QVERIFY(!server.listen(QHostAddress::LocalHost, 7));
}

// A client of a server outside the test: no server of the file holds the port.
void tst_LeaveAlone::remoteHost()
{
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("localhost"), 9);
    socket.abort();
}

void tst_LeaveAlone::udpAnyPort()
{
    QUdpSocket socket;
    QVERIFY(socket.bind());
    QVERIFY(socket.localPort() != 0);
}

QTEST_MAIN(tst_LeaveAlone)
#include "tst_leave_alone.moc"
