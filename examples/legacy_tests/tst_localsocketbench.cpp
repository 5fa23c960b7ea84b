// A legacy QLocalSocket benchmark, written the way many old Qt tests are:
// a server thread, a factory of client sockets, and two test functions that
// push bytes back and forth. It passes, but `qtfix diff` has plenty to say.

#include <QtCore/QSemaphore>
#include <QtCore/QThread>
#include <QtCore/QVector>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtTest/QtTest>

class ServerThread : public QThread
{
public:
    explicit ServerThread(int replySize) : reply(replySize, 'r') {}

    QSemaphore listening;

protected:
    void run() override
    {
        QLocalServer *server = new QLocalServer();
        connect(server, &QLocalServer::newConnection, [this, server]() {
            QLocalSocket *peer = server->nextPendingConnection();
            connect(peer, &QLocalSocket::readyRead, [this, peer]() {
                const QByteArray request = peer->readAll();
                QVERIFY(!request.isEmpty());
                QCOMPARE(peer->write(reply), qint64(reply.size()));
            });
            connect(peer, &QLocalSocket::disconnected, peer, &QObject::deleteLater);
        });
        server->listen("foo");
        listening.release();
        exec();
        delete server;
    }

private:
    QByteArray reply;
};

class SocketFactory : public QObject
{
    Q_OBJECT
public:
    SocketFactory(int clients, int replySize)
    {
        for (int i = 0; i < clients; ++i) {
            QLocalSocket *socket = new QLocalSocket(this);
            connect(socket, &QLocalSocket::readyRead, [this, socket]() {
                received += socket->readAll().size();
                if (received >= expected)
                    emit allReplied();
                QVERIFY(received <= expected);
            });
            socket->connectToServer("foo");
            QCOMPARE(socket->waitForConnected(3000), true);
            sockets.append(socket);
            expected += replySize;
        }
    }

    void ping()
    {
        for (QLocalSocket *socket : sockets)
            socket->write("ping");
    }

signals:
    void allReplied();

private:
    QVector<QLocalSocket *> sockets;
    qint64 received = 0;
    qint64 expected = 0;
};

class tst_LocalSocketBench : public QObject
{
    Q_OBJECT
private slots:
    void manyClients_data();
    void manyClients();
    void singleRoundTrip();
};

void tst_LocalSocketBench::manyClients_data()
{
    QTest::addColumn<int>("clients");
    QTest::addColumn<int>("replySize");
    QTest::newRow("1x16") << 1 << 16;
    QTest::newRow("8x64") << 8 << 64;
}

void tst_LocalSocketBench::manyClients()
{
    QFETCH(int, clients);
    QFETCH(int, replySize);

    ServerThread serverThread(replySize);
    serverThread.start();
    QVERIFY(serverThread.listening.tryAcquire(1, 3000));

    {
        SocketFactory factory(clients, replySize);
        QSignalSpy replied(&factory, &SocketFactory::allReplied);
        QBENCHMARK_ONCE {
            factory.ping();
            QVERIFY(replied.wait(3000));
        }
    }

    serverThread.quit();
    QVERIFY(serverThread.wait(3000));
}

void tst_LocalSocketBench::singleRoundTrip()
{
    ServerThread serverThread(4);
    serverThread.start();
    QVERIFY(serverThread.listening.tryAcquire(1, 3000));

    QLocalSocket *socket = new QLocalSocket();
    while (socket->state() != QLocalSocket::ConnectedState)
        socket->connectToServer("foo");

    QCOMPARE(socket->write("ping"), qint64(4));
    QVERIFY(socket->waitForReadyRead(3000));
    QCOMPARE(socket->readAll(), QByteArray("rrrr"));
    socket->disconnectFromServer();
    delete socket;

    serverThread.quit();
    QVERIFY(serverThread.wait(3000));
}

QTEST_MAIN(tst_LocalSocketBench)
#include "tst_localsocketbench.moc"
