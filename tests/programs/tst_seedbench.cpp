// Modeled on the reviewed QLocalSocket benchmark: a server thread echoing
// whatever it receives, a factory of client sockets, a hard-coded name, a
// retry busy-wait, and manual deletes that a failing QCOMPARE would skip.
#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtCore/QThread>

class ServerThread : public QThread
{
public:
    explicit ServerThread(int expectedClients) : expectedClients(expectedClients) {}

    void run() override
    {
        QLocalServer *server = new QLocalServer();
        int accepted = 0;
        connect(server, &QLocalServer::newConnection, [this, server, &accepted]() {
            while (QLocalSocket *peer = server->nextPendingConnection()) {
                ++accepted;
                connect(peer, &QLocalSocket::readyRead, [peer]() {
                    peer->write(peer->readAll());
                });
                connect(peer, &QLocalSocket::disconnected, peer, &QObject::deleteLater);
            }
        });
        server->listen("foo");
        exec();
        delete server;
    }

private:
    int expectedClients;
};

class SocketFactory : public QObject
{
public:
    explicit SocketFactory(int count)
    {
        for (int i = 0; i < count; ++i) {
            QLocalSocket *socket = new QLocalSocket(this);
            socket->connectToServer("foo");
            while (socket->state() != QLocalSocket::ConnectedState)
                socket->connectToServer("foo");
            sockets.append(socket);
        }
    }

    QList<QLocalSocket *> sockets;
};

class tst_SeedBench : public QObject
{
    Q_OBJECT
private slots:
    void pingPong_data();
    void pingPong();
};

void tst_SeedBench::pingPong_data()
{
    QTest::addColumn<int>("connections");
    QTest::newRow("1") << 1;
    QTest::newRow("3") << 3;
}

void tst_SeedBench::pingPong()
{
    QFETCH(int, connections);
    ServerThread serverThread(connections);
    serverThread.start();

    QLocalSocket *probe = new QLocalSocket();
    probe->connectToServer("foo");
    while (probe->state() != QLocalSocket::ConnectedState)
        probe->connectToServer("foo");

    SocketFactory factory(connections);
    QCOMPARE(factory.sockets.size(), connections);
    const QByteArray payload(128, 'q');
    for (QLocalSocket *socket : factory.sockets) {
        QCOMPARE(socket->write(payload), qint64(payload.size()));
        QVERIFY(socket->waitForBytesWritten(5000));
        QByteArray echoed;
        while (echoed.size() < payload.size()) {
            QVERIFY(socket->waitForReadyRead(5000));
            echoed += socket->readAll();
        }
        QCOMPARE(echoed, payload);
    }
    delete probe;
    serverThread.quit();
    QVERIFY(serverThread.wait(5000));
}

QTEST_MAIN(tst_SeedBench)
#include "tst_seedbench.moc"
