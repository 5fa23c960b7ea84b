// Results dropped where no QTest macro can report them: a server thread's
// run() (as in the reviewed benchmark), a lambda in it, a helper, a lambda
// in a test function and a slot connected Qt 5-style.
#include <QtCore/QSemaphore>
#include <QtCore/QThread>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtTest/QtTest>

static QString threadServerName()
{
    return QStringLiteral("qf107-thread-") + QString::number(QCoreApplication::applicationPid());
}

class ServerThread : public QThread
{
public:
    QSemaphore ready;

protected:
    void run() override
    {
        QLocalServer server;
        connect(&server, &QLocalServer::newConnection, [&server]() {
            QLocalSocket *peer = server.nextPendingConnection();
            peer->write("welcome");
            connect(peer, &QLocalSocket::disconnected, peer, &QObject::deleteLater);
        });
        QLocalServer::removeServer(threadServerName());
        server.listen(threadServerName());
        ready.release();
        exec();
    }
};

// Its private slot is a signal handler, not a test: QTEST_MAIN runs tst_Elsewhere.
class Acknowledger : public QObject
{
    Q_OBJECT
public:
    explicit Acknowledger(QLocalSocket *socket) : socket(socket) {}

private slots:
    void acknowledge() { socket->write("ack"); }

private:
    QLocalSocket *socket;
};

class tst_Elsewhere : public QObject
{
    Q_OBJECT
private slots:
    void greeting();
    void stringConnect();

protected slots:
    void sendGreeting();

private:
    void sendAll(const QList<QLocalSocket *> &sockets);
    QLocalServer localServer;
};

void tst_Elsewhere::greeting()
{
    ServerThread thread;
    thread.start();
    QVERIFY(thread.ready.tryAcquire(1, 3000));
    QLocalSocket client;
    client.connectToServer(threadServerName());
    QVERIFY(client.waitForConnected(3000));
    QTRY_COMPARE(client.bytesAvailable(), qint64(7));
    thread.quit();
    QVERIFY(thread.wait(3000));
}

void tst_Elsewhere::stringConnect()
{
    const QString name = QStringLiteral("qf107-slot-") + QString::number(QCoreApplication::applicationPid());
    QLocalServer::removeServer(name);
    connect(&localServer, SIGNAL(newConnection()), this, SLOT(sendGreeting()));
    QVERIFY(localServer.listen(name));
    QLocalSocket client;
    client.connectToServer(name);
    QVERIFY(client.waitForConnected(3000));
    QTRY_COMPARE(client.bytesAvailable(), qint64(5));
    Acknowledger acknowledger(&client);
    connect(&client, SIGNAL(readyRead()), &acknowledger, SLOT(acknowledge()));
    auto reply = [&client]() { client.write("thanks"); };
    reply();
    QVERIFY(client.waitForBytesWritten(3000));
    sendAll({&client});
}

void tst_Elsewhere::sendGreeting()
{
    QLocalSocket *peer = localServer.nextPendingConnection();
    peer->write("hello");
}

void tst_Elsewhere::sendAll(const QList<QLocalSocket *> &sockets)
{
    for (QLocalSocket *socket : sockets) {
        socket->write("bye");
        socket->waitForBytesWritten(1000);
    }
}

QTEST_MAIN(tst_Elsewhere)
#include "threads_helpers_and_slots.moc"
