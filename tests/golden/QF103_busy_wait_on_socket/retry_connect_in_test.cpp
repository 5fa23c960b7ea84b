// The reviewed benchmark's retry loop: the server thread may not listen yet.
#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

class ListenerThread : public QThread
{
public:
    QString name;
    void run() override
    {
        QLocalServer server;
        QThread::msleep(50);
        if (!server.listen(name))
            return;
        server.waitForNewConnection(5000);
    }
};

class tst_RetryConnect : public QObject
{
    Q_OBJECT
private slots:
    void connectWhenReady();
    void connectBraced();
};

void tst_RetryConnect::connectWhenReady()
{
    ListenerThread listener;
    listener.name = QStringLiteral("tst_RetryConnect-a-%1").arg(QCoreApplication::applicationPid());
    QLocalServer::removeServer(listener.name);
    listener.start();
    QLocalSocket socket;
    socket.connectToServer(listener.name);
    while (socket.state() != QLocalSocket::ConnectedState)
        socket.connectToServer(listener.name);
    QCOMPARE(socket.state(), QLocalSocket::ConnectedState);
    listener.wait();
}

void tst_RetryConnect::connectBraced()
{
    ListenerThread listener;
    listener.name = QStringLiteral("tst_RetryConnect-b-%1").arg(QCoreApplication::applicationPid());
    QLocalServer::removeServer(listener.name);
    listener.start();
    QLocalSocket *socket = new QLocalSocket(this);
    while (socket->state() != QLocalSocket::ConnectedState) {
        socket->connectToServer(listener.name);
    }
    QVERIFY(socket->isValid());
    listener.wait();
}

QTEST_MAIN(tst_RetryConnect)
#include "retry_connect_in_test.moc"
