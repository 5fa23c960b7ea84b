// TCP and UDP on fixed ports, the way legacy network tests were written: a
// server per test function on one port, a server for the whole run held by
// the test object, and a UDP receiver bound to a port its sender knows.
// Two runs at once (ctest -j, two build trees on one CI host) fight over
// the ports; so does anything else on the machine that holds one of them.
#include <QtTest/QtTest>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtNetwork/QUdpSocket>

static const quint16 echoPort = 49231;

class tst_FixedPort : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void echo();
    void portIsTaken();
    void sharedServer();
    void datagram();

private:
    QTcpServer *m_server = nullptr;
};

void tst_FixedPort::initTestCase()
{
    m_server = new QTcpServer(this);
    QVERIFY(m_server->listen(QHostAddress::LocalHost, 49233));
}

void tst_FixedPort::echo()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, echoPort));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, echoPort);
    QVERIFY(client.waitForConnected(5000));
    QVERIFY(server.waitForNewConnection(5000));
    QTcpSocket *peer = server.nextPendingConnection();
    QVERIFY(peer);
    QCOMPARE(client.write("ping"), qint64(4));
    QVERIFY(client.waitForBytesWritten(5000));
    QVERIFY(peer->waitForReadyRead(5000));
    QCOMPARE(peer->readAll(), QByteArray("ping"));
    // Give a second run time to try the same port while this one holds it.
    QTest::qWait(300);
}

void tst_FixedPort::portIsTaken()
{
    QTcpServer first;
    QVERIFY(first.listen(QHostAddress::LocalHost, echoPort));
    QTcpServer second;
    QVERIFY(!second.listen(QHostAddress::LocalHost, echoPort));
    QCOMPARE(second.serverError(), QAbstractSocket::AddressInUseError);
}

void tst_FixedPort::sharedServer()
{
    QTcpSocket client;
    client.connectToHost(QStringLiteral("127.0.0.1"), 49233);
    QVERIFY(client.waitForConnected(5000));
    QVERIFY(m_server->waitForNewConnection(5000));
    QTcpSocket *peer = m_server->nextPendingConnection();
    QVERIFY(peer);
    QCOMPARE(peer->peerPort(), client.localPort());
}

void tst_FixedPort::datagram()
{
    QUdpSocket receiver;
    QVERIFY(receiver.bind(QHostAddress::LocalHost, 49232));
    QUdpSocket sender;
    QCOMPARE(sender.writeDatagram(QByteArray("hello"), QHostAddress::LocalHost, 49232), qint64(5));
    QVERIFY(receiver.waitForReadyRead(5000));
    QByteArray data(int(receiver.pendingDatagramSize()), '\0');
    QCOMPARE(receiver.readDatagram(data.data(), data.size()), qint64(5));
    QCOMPARE(data, QByteArray("hello"));
}

QTEST_MAIN(tst_FixedPort)
#include "tst_fixedport.moc"
