// Modeled on legacy QtTest suites that poll for a result with no bound: a
// flag and a future set by worker threads, a signal spy, a job's pending
// commands (QFtp's hasPendingCommands() loop), a qWait loop on a flag set by
// a connected lambda. Each loop hangs the test run when the result never
// comes; QF103 bounds it with QTRY_VERIFY_WITH_TIMEOUT.
#include <QtTest/QtTest>
#include <QtCore/QFutureInterface>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <atomic>
#include <thread>

class Job : public QObject
{
    Q_OBJECT
public:
    enum Command { None, Login, List };
    void start()
    {
        pending = 2;
        current = Login;
        QTimer::singleShot(10, this, [this] { --pending; current = List; });
        QTimer::singleShot(30, this, [this] { --pending; current = None; emit done(); });
    }
    bool hasPendingCommands() const { return pending > 0; }
    Command currentCommand() const { return current; }
signals:
    void done();
private:
    int pending = 0;
    Command current = None;
};

class tst_Polling : public QObject
{
    Q_OBJECT
private slots:
    void spyPumped();
    void pendingCommands();
    void qWaitOnFlag();
    void flagFromThread();
    void futureFromThread();
};

void tst_Polling::spyPumped()
{
    Job job;
    QSignalSpy spy(&job, &Job::done);
    job.start();
    while (spy.isEmpty())
        QCoreApplication::processEvents();
    QCOMPARE(spy.count(), 1);
}

void tst_Polling::pendingCommands()
{
    Job job;
    job.start();
    while (job.hasPendingCommands() || job.currentCommand() != Job::None) {
        QCoreApplication::instance()->processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
    }
    QCOMPARE(job.currentCommand(), Job::None);
}

void tst_Polling::qWaitOnFlag()
{
    Job job;
    bool finished = false;
    connect(&job, &Job::done, this, [&finished] { finished = true; });
    job.start();
    do {
        QTest::qWait(5);
    } while (!finished);
    QVERIFY(finished);
}

void tst_Polling::flagFromThread()
{
    std::atomic<bool> ready{false};
    std::thread worker([&ready] {
        QThread::msleep(20);
        ready = true;
    });
    while (!ready)
        QThread::msleep(5);
    worker.join();
    QVERIFY(ready);
}

void tst_Polling::futureFromThread()
{
    QFutureInterface<int> promise;
    promise.reportStarted();
    QFuture<int> future = promise.future();
    std::thread worker([&promise] {
        QThread::msleep(20);
        promise.reportResult(42);
        promise.reportFinished();
    });
    for (;;) {
        if (future.isFinished())
            break;
        QTest::qSleep(5);
    }
    worker.join();
    QCOMPARE(future.result(), 42);
}

QTEST_MAIN(tst_Polling)
#include "tst_polling.moc"
