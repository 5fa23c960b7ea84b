#include <QtTest/QtTest>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

#define ECHO_PORT 49203

namespace {
const quint16 controlPort = 49201;
}

class tst_ConstantPort : public QObject
{
    Q_OBJECT

private slots:
    void control();
    void controlAgain();
    void local();
    void macro();
};

static bool connects(QTcpServer &server, QTcpSocket &client)
{
    return client.waitForConnected(5000) && server.waitForNewConnection(5000);
}

void tst_ConstantPort::control()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, controlPort));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, controlPort);
    QVERIFY(connects(server, client));
}

void tst_ConstantPort::controlAgain()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, controlPort));
    QTcpSocket client;
    client.connectToHost("localhost", controlPort);
    QVERIFY(connects(server, client));
}

void tst_ConstantPort::local()
{
    const quint16 port = 49202;
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, port));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(connects(server, client));
}

void tst_ConstantPort::macro()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, ECHO_PORT));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, ECHO_PORT);
    QVERIFY(connects(server, client));
}

QTEST_MAIN(tst_ConstantPort)
#include "tst_constant_port.moc"
