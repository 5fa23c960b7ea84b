// Modeled on legacy QtTest suites that sleep before every check: a client
// connecting to an in-process local server (hard-coded name), an echo read
// back after a pause, a worker object in a thread, and timers counted with
// QSignalSpy. Each fixed wait either makes the test slow (the event is long
// done) or flaky (the event is late on a loaded machine).
#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtCore/QThread>

class Worker : public QObject
{
    Q_OBJECT
public slots:
    void work()
    {
        QThread::msleep(20);
        emit finished();
    }
signals:
    void finished();
};

class tst_FixedWaits : public QObject
{
    Q_OBJECT

private slots:
    void clientConnects();
    void serverSeesClient();
    void echoComesBack();
    void workerFinishes();
    void timerFiresOnce();
    void stoppedTimerStaysSilent();
};

void tst_FixedWaits::clientConnects()
{
    QLocalServer server;
    QVERIFY(server.listen("fixedwaits"));
    QLocalSocket socket;
    socket.connectToServer("fixedwaits");
    QTest::qWait(1000);
    QVERIFY(socket.state() == QLocalSocket::ConnectedState);
}

void tst_FixedWaits::serverSeesClient()
{
    QLocalServer server;
    QVERIFY(server.listen("fixedwaits"));
    QLocalSocket socket;
    socket.connectToServer("fixedwaits");
    QTest::qWait(1000);
    QVERIFY(server.hasPendingConnections());
    QCOMPARE(socket.state(), QLocalSocket::ConnectedState);
}

void tst_FixedWaits::echoComesBack()
{
    QLocalServer server;
    QVERIFY(server.listen("fixedwaits"));
    connect(&server, &QLocalServer::newConnection, this, [&server] {
        QLocalSocket *peer = server.nextPendingConnection();
        connect(peer, &QLocalSocket::readyRead, peer, [peer] { peer->write(peer->readAll()); });
    });
    QLocalSocket socket;
    socket.connectToServer("fixedwaits");
    QVERIFY(socket.waitForConnected(5000));
    socket.write("ping");
    QTest::qWait(300);
    QCOMPARE(socket.readAll(), QByteArray("ping"));  // readAll() consumes: QTRY would read twice
}

void tst_FixedWaits::workerFinishes()
{
    QThread thread;
    Worker worker;
    worker.moveToThread(&thread);
    bool done = false;
    connect(&worker, &Worker::finished, this, [&done] { done = true; });
    thread.start();
    QMetaObject::invokeMethod(&worker, "work", Qt::QueuedConnection);
    QThread::msleep(1000);
    QCoreApplication::processEvents();
    QVERIFY(done);
    thread.quit();
    thread.wait();
}

void tst_FixedWaits::timerFiresOnce()
{
    QTimer timer;
    timer.setSingleShot(true);
    QSignalSpy spy(&timer, &QTimer::timeout);
    timer.start(10);
    QTest::qWait(300);
    QCOMPARE(spy.count(), 1);  // an exact count: the fix is unsafe, not applied by default
}

void tst_FixedWaits::stoppedTimerStaysSilent()
{
    QTimer timer;
    QSignalSpy spy(&timer, &QTimer::timeout);
    timer.start(10);
    timer.stop();
    QTest::qWait(200);
    QCOMPARE(spy.count(), 0);  // the wait is the test
}

QTEST_MAIN(tst_FixedWaits)
#include "tst_fixedwaits.moc"
