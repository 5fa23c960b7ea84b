// A TCP round trip whose waits are ignored. Their false result does not
// always mean failure (data already buffered, nothing left to send, a
// connection already accepted), so wrapping them is an unsafe fix.
#include <QtCore/QScopedPointer>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

class tst_TcpWaits : public QObject
{
    Q_OBJECT
private slots:
    void roundTrip();
};

void tst_TcpWaits::roundTrip()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    QVERIFY(client.waitForConnected(3000));
    server.waitForNewConnection(3000);
    QScopedPointer<QTcpSocket> peer(server.nextPendingConnection());
    QVERIFY(peer);

    client.write("ping");
    client.flush();
    peer->waitForReadyRead(3000);
    QCOMPARE(peer->readAll(), QByteArray("ping"));

    const QByteArray reply("pong");
    peer->write(reply);
    peer->waitForBytesWritten(3000);
    QVERIFY(client.waitForReadyRead(3000));
    QCOMPARE(client.readAll(), reply);
}

QTEST_MAIN(tst_TcpWaits)
#include "waits_that_may_fail.moc"
