// Failures the test tolerates: a probe in initTestCase_data (no answer is
// an answer), calls whose failure makes the test QSKIP, a UDP loop that
// counts the round trips that worked. Next to them, calls that must work,
// a data function that relies on a server, and a write inside QBENCHMARK.
#include <QtNetwork/QNetworkDatagram>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtNetwork/QUdpSocket>
#include <QtTest/QtTest>

class tst_Tolerated : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase_data();
    void skipIfBroken();
    void lossTolerantUdp();
    void datagram();
    void serverRows_data();
    void serverRows();
    void benchmarkWrite();
};

void tst_Tolerated::initTestCase_data()
{
    bool old = false;
    QTcpSocket probe;
    probe.connectToHost(QHostAddress::LocalHost, 22);
    if (probe.waitForConnected(3000)) {
        probe.waitForReadyRead(2000); // a probe: no banner is an answer too
        old = probe.readAll().startsWith("SSH-1.");
    }
    QTest::addColumn<bool>("oldSsh");
    QTest::newRow("local") << old;
}

void tst_Tolerated::skipIfBroken()
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, 9); // discard service, if any
    socket.waitForConnected(3000);
    socket.write("x\n");
    socket.waitForBytesWritten(3000);
    if (socket.state() != QAbstractSocket::ConnectedState)
        QSKIP("no discard service on this machine");
    QVERIFY(socket.isOpen());
}

void tst_Tolerated::lossTolerantUdp()
{
    QUdpSocket echo;
    QVERIFY(echo.bind(QHostAddress(QHostAddress::LocalHost), 0));
    QUdpSocket udp;
    udp.connectToHost(QHostAddress::LocalHost, echo.localPort());
    int received = 0;
    for (int i = 0; i < 5; ++i) {
        udp.write("x"); // a lost datagram is allowed: the count says so
        if (echo.waitForReadyRead(1000)) {
            echo.receiveDatagram();
            ++received;
        }
    }
    QVERIFY(received >= 0);
}

void tst_Tolerated::datagram()
{
    QUdpSocket receiver;
    QVERIFY(receiver.bind(QHostAddress(QHostAddress::LocalHost), 0));
    QUdpSocket sender;
    const QByteArray payload("hello");
    sender.writeDatagram(payload, QHostAddress::LocalHost, receiver.localPort());
    sender.writeDatagram(payload.constData(), payload.size(), QHostAddress::LocalHost, receiver.localPort());
    QTRY_VERIFY(receiver.hasPendingDatagrams());
    QCOMPARE(receiver.receiveDatagram().data(), payload);
}

void tst_Tolerated::serverRows_data()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost);
    QTest::addColumn<quint16>("port");
    QTest::newRow("any") << server.serverPort();
}

void tst_Tolerated::serverRows()
{
    QFETCH(quint16, port);
    Q_UNUSED(port);
}

void tst_Tolerated::benchmarkWrite()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    QVERIFY(client.waitForConnected(3000));
    QBENCHMARK_ONCE {
        client.write("payload");
    }
    QVERIFY(client.waitForBytesWritten(3000));
}

QTEST_MAIN(tst_Tolerated)
#include "failure_tolerated.moc"
