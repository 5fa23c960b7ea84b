#include <QtTest/QtTest>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

// A client that asks the server for its port follows whatever port the
// server gets: the fixed port is only the server's, port 0 is sound. A port
// that is only printed, or that another server reports, is no such client.
class tst_ClientAsksPort : public QObject
{
    Q_OBJECT

private slots:
    void clientAsksServer();
    void portOnlyPrinted();
    void clientAsksOtherServer();
};

void tst_ClientAsksPort::clientAsksServer()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::Any, 49231));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    QVERIFY(client.waitForConnected(5000));
    QVERIFY(server.waitForNewConnection(5000));
}

void tst_ClientAsksPort::portOnlyPrinted()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::Any, 49232));
    qDebug() << "listening on" << server.serverPort();
}

void tst_ClientAsksPort::clientAsksOtherServer()
{
    QTcpServer server;
    QTcpServer other;
    QVERIFY(server.listen(QHostAddress::Any, 49233));
    QVERIFY(other.listen(QHostAddress::LocalHost));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, other.serverPort());
    QVERIFY(client.waitForConnected(5000));
}

QTEST_MAIN(tst_ClientAsksPort)
#include "tst_client_asks_port.moc"
