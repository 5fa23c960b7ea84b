// A server thread and a client factory in the style of the reviewed
// QLocalSocket benchmark: checks in run(), in lambdas and in a constructor.
#include <QtCore/QSemaphore>
#include <QtCore/QThread>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtTest/QtTest>

static QString benchName()
{
    return QStringLiteral("qf105-bench-") + QString::number(QCoreApplication::applicationPid());
}

class ServerThread : public QThread
{
public:
    QSemaphore running;

protected:
    void run() override
    {
        QLocalServer server;
        connect(&server, &QLocalServer::newConnection, [&server]() {
            QLocalSocket *peer = server.nextPendingConnection();
            QVERIFY(peer);
            connect(peer, &QLocalSocket::readyRead, [peer]() {
                const QByteArray request = peer->readAll();
                QCOMPARE(peer->write(request), qint64(request.size()));
            });
        });
        QLocalServer::removeServer(benchName());
        startListening(server);
        running.release();
        exec();
    }

private:
    void startListening(QLocalServer &server)
    {
        QVERIFY2(server.listen(benchName()), qPrintable(server.errorString()));
    }
};

class SocketFactory : public QObject
{
    Q_OBJECT
public:
    explicit SocketFactory(int count)
    {
        for (int i = 0; i < count; ++i) {
            QLocalSocket *socket = new QLocalSocket(this);
            socket->connectToServer(benchName());
            QCOMPARE(socket->state(), QLocalSocket::ConnectedState);
            sockets.append(socket);
        }
    }

    QList<QLocalSocket *> sockets;
};

class tst_Bench : public QObject
{
    Q_OBJECT
private slots:
    void pingPong();
};

void tst_Bench::pingPong()
{
    ServerThread serverThread;
    serverThread.start();
    QVERIFY(serverThread.running.tryAcquire(1, 3000));

    SocketFactory factory(2);
    int replies = 0;
    for (QLocalSocket *socket : factory.sockets) {
        connect(socket, &QLocalSocket::readyRead, [socket, &replies]() {
            QCOMPARE(socket->readAll(), QByteArray("ping"));
            ++replies;
        });
        QCOMPARE(socket->write("ping"), qint64(4));
    }
    QTRY_COMPARE(replies, 2);

    serverThread.quit();
    QVERIFY(serverThread.wait(3000));
}

QTEST_MAIN(tst_Bench)
#include "server_thread_and_lambdas.moc"
