#include <QtTest/QtTest>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

// Legacy style: every test function opens its own server on one fixed port.
class tst_ListenLiteral : public QObject
{
    Q_OBJECT

private slots:
    void echo();
    void portIsTaken();
    void twoClients();
};

void tst_ListenLiteral::echo()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 49199));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, 49199);
    QVERIFY(client.waitForConnected(5000));
    QVERIFY(server.waitForNewConnection(5000));
    QTcpSocket *peer = server.nextPendingConnection();
    QVERIFY(peer);
    client.write("ping");
    QVERIFY(client.waitForBytesWritten(5000));
    QVERIFY(peer->waitForReadyRead(5000));
    QCOMPARE(peer->readAll(), QByteArray("ping"));
}

// A second server must be refused the port the first one holds: after the
// fix it asks for the first server's port, so it still checks that.
void tst_ListenLiteral::portIsTaken()
{
    QTcpServer first;
    QVERIFY(first.listen(QHostAddress::LocalHost, 49199));
    QTcpServer second;
    QVERIFY(!second.listen(QHostAddress::LocalHost, 49199));
    QCOMPARE(second.serverError(), QAbstractSocket::AddressInUseError);
}

void tst_ListenLiteral::twoClients()
{
    QTcpServer *server = new QTcpServer(this);
    QVERIFY(server->listen(QHostAddress::Any, 0xC02F));
    QTcpSocket a, b;
    a.connectToHost(QStringLiteral("127.0.0.1"), 0xC02F);
    b.connectToHost(QHostAddress(QHostAddress::LocalHost), 0xC02F, QIODevice::ReadWrite);
    QVERIFY(a.waitForConnected(5000));
    QVERIFY(b.waitForConnected(5000));
    delete server;
}

QTEST_MAIN(tst_ListenLiteral)
#include "tst_listen_literal.moc"
