#include <QtTest/QtTest>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtCore/QThread>

// Clients that cannot name the server object, and ports that are also
// spelled elsewhere (a URL, a comparison): reported, fixed by hand.
class ClientThread : public QThread
{
public:
    bool connected = false;

protected:
    void run() override
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, 49212);
        connected = socket.waitForConnected(5000);
    }
};

class tst_ClientElsewhere : public QObject
{
    Q_OBJECT

private slots:
    void threadClient();
    void url();
    void comparesPort();
    void lambdaClient();
    void noClient();
    void restart();

private:
    void connectLater();
};

void tst_ClientElsewhere::threadClient()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 49212));
    ClientThread thread;
    thread.start();
    QVERIFY(server.waitForNewConnection(5000));
    thread.wait();
    QVERIFY(thread.connected);
}

void tst_ClientElsewhere::url()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 49213));
    const QUrl url(QStringLiteral("http://127.0.0.1:49213/index.html"));
    QTcpSocket client;
    client.connectToHost(url.host(), 49213);
    QVERIFY(client.waitForConnected(5000));
}

void tst_ClientElsewhere::comparesPort()
{
    static const quint16 port = 49214;
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, port));
    QCOMPARE(server.serverPort(), port);
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(client.waitForConnected(5000));
}

void tst_ClientElsewhere::lambdaClient()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 49215));
    QTcpSocket client;
    auto connectNow = [&client] { client.connectToHost(QHostAddress::LocalHost, 49215); };
    connectNow();
    QVERIFY(client.waitForConnected(5000));
}

// Whoever connects to this one is not in this file.
void tst_ClientElsewhere::noClient()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::Any, 49216));
    QVERIFY(server.isListening());
}

// The second listen() is a new server: a client after it needs its port.
void tst_ClientElsewhere::restart()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 49217));
    server.close();
    QVERIFY(server.listen(QHostAddress::LocalHost, 49217));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, 49217);
    QVERIFY(client.waitForConnected(5000));
}

QTEST_MAIN(tst_ClientElsewhere)
#include "tst_client_elsewhere.moc"
