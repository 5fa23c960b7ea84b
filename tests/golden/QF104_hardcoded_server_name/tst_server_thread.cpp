#include <QtTest/QtTest>
#include <QtCore/QSemaphore>
#include <QtCore/QThread>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

// The server runs in its own thread and echoes what one client sends.
class ServerThread : public QThread
{
public:
    QSemaphore ready;
    bool listening = false;

protected:
    void run() override
    {
        QLocalServer server;
        if (!server.listen("foo")) {
            qWarning("cannot listen: %s", qPrintable(server.errorString()));
            ready.release();
            return;
        }
        listening = true;
        ready.release();
        if (!server.waitForNewConnection(5000))
            return;
        QLocalSocket *peer = server.nextPendingConnection();
        while (peer->bytesAvailable() < 4 && peer->waitForReadyRead(5000)) {
        }
        peer->write(peer->readAll());
        peer->waitForBytesWritten(5000);
    }
};

class tst_ServerThread : public QObject
{
    Q_OBJECT

private slots:
    void pingPong();
};

void tst_ServerThread::pingPong()
{
    ServerThread thread;
    thread.start();
    thread.ready.acquire();
    QVERIFY(thread.listening);

    QLocalSocket socket;
    socket.connectToServer("foo");
    QVERIFY2(socket.waitForConnected(5000), qPrintable(socket.errorString()));
    socket.write("ping");
    QVERIFY(socket.waitForReadyRead(5000));
    QCOMPARE(socket.readAll(), QByteArray("ping"));
    QVERIFY(thread.wait(5000));
}

QTEST_MAIN(tst_ServerThread)
#include "tst_server_thread.moc"
