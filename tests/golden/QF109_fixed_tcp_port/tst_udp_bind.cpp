#include <QtTest/QtTest>
#include <QtNetwork/QUdpSocket>
#include <QtNetwork/QNetworkDatagram>

class tst_UdpBind : public QObject
{
    Q_OBJECT

private slots:
    void datagram();
    void anyAddress();
    void shared();
};

void tst_UdpBind::datagram()
{
    QUdpSocket receiver;
    QVERIFY(receiver.bind(QHostAddress::LocalHost, 45454));
    QUdpSocket sender;
    QCOMPARE(sender.writeDatagram(QByteArray("hello"), QHostAddress::LocalHost, 45454), qint64(5));
    QVERIFY(receiver.waitForReadyRead(5000));
    QCOMPARE(receiver.receiveDatagram().data(), QByteArray("hello"));
}

void tst_UdpBind::anyAddress()
{
    QUdpSocket receiver;
    QVERIFY(receiver.bind(45455));
    QUdpSocket sender;
    sender.connectToHost(QHostAddress::LocalHost, 45455);
    QVERIFY(sender.waitForConnected(5000));
    QCOMPARE(sender.write("x", 1), qint64(1));
    QVERIFY(receiver.waitForReadyRead(5000));
}

void tst_UdpBind::shared()
{
    QUdpSocket receiver;
    QVERIFY(receiver.bind(45456, QUdpSocket::ShareAddress));
    QUdpSocket sender;
    QCOMPARE(sender.writeDatagram("abc", 3, QHostAddress::LocalHost, 45456), qint64(3));
    QVERIFY(receiver.waitForReadyRead(5000));
}

QTEST_MAIN(tst_UdpBind)
#include "tst_udp_bind.moc"
