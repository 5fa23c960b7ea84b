// Datagrams sent to broadcast addresses: a platform may refuse
// 255.255.255.255 and an interface may have no broadcast, while the test
// only needs one datagram to arrive. Reported without a fix. A datagram to
// the loopback address is an ordinary write and gets its check.
#include <QtNetwork/QNetworkInterface>
#include <QtNetwork/QUdpSocket>
#include <QtTest/QtTest>

class tst_Broadcast : public QObject
{
    Q_OBJECT
private slots:
    void broadcastEverywhere();
    void loopback();
};

void tst_Broadcast::broadcastEverywhere()
{
    QList<QHostAddress> broadcastAddresses;
    const auto interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &iface : interfaces) {
        for (const QNetworkAddressEntry &entry : iface.addressEntries()) {
            if (!entry.broadcast().isNull())
                broadcastAddresses << entry.broadcast();
        }
    }
    QUdpSocket sender;
    QVERIFY(sender.bind(QHostAddress(QHostAddress::AnyIPv4), 0));
    const QByteArray hello("hello");
    sender.writeDatagram(hello, QHostAddress::Broadcast, 45454);
    for (const QHostAddress &address : broadcastAddresses)
        sender.writeDatagram(hello, address, 45454);
    foreach (const QHostAddress &address, broadcastAddresses)
        sender.writeDatagram(hello, address, 45455);
}

void tst_Broadcast::loopback()
{
    QUdpSocket receiver;
    QVERIFY(receiver.bind(QHostAddress(QHostAddress::LocalHost), 0));
    QUdpSocket sender;
    sender.writeDatagram(QByteArray("ping"), QHostAddress::LocalHost, receiver.localPort());
    QTRY_VERIFY(receiver.hasPendingDatagrams());
}

QTEST_MAIN(tst_Broadcast)
#include "broadcast_datagrams.moc"
