// Two more operations whose result says whether anything happened: the
// TLS handshake (waitForEncrypted) and writeDatagram. Not run: the
// handshake needs a TLS server on localhost.
#include <QtNetwork/QNetworkDatagram>
#include <QtNetwork/QSslSocket>
#include <QtNetwork/QUdpSocket>
#include <QtTest/QtTest>

class tst_MoreOperations : public QObject
{
    Q_OBJECT
private slots:
    void handshake();
    void handshakeCheckedNext();
    void handshakeThroughPointer();
    void datagram();
    void datagramExpression();
};

void tst_MoreOperations::handshake()
{
    QSslSocket socket;
    socket.connectToHostEncrypted(QStringLiteral("localhost"), 4433);
    socket.waitForEncrypted(5000);
    socket.write("GET / HTTP/1.0\r\n\r\n");
    QVERIFY(socket.waitForReadyRead(5000));
}

void tst_MoreOperations::handshakeCheckedNext()
{
    QSslSocket socket;
    socket.connectToHostEncrypted(QStringLiteral("localhost"), 4433);
    socket.waitForEncrypted(5000);
    QVERIFY(socket.isEncrypted());
}

void tst_MoreOperations::handshakeThroughPointer()
{
    QList<QSslSocket *> sockets{new QSslSocket(this)};
    sockets.takeFirst()->waitForEncrypted(5000);
}

void tst_MoreOperations::datagram()
{
    QUdpSocket socket;
    const QByteArray payload("ping");
    socket.writeDatagram(payload, QHostAddress::LocalHost, 9);
    socket.writeDatagram("pong", QHostAddress::LocalHost, 9);
    QVERIFY(socket.bind());
}

void tst_MoreOperations::datagramExpression()
{
    QUdpSocket socket;
    QNetworkDatagram datagram(QByteArray("ping"), QHostAddress::LocalHost, 9);
    socket.writeDatagram(datagram);
}

QTEST_MAIN(tst_MoreOperations)
#include "more_operations.moc"
