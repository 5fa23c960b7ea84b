// Unbounded polling loops on state that is not a socket's: a flag or a
// future set by another thread, a signal spy, a job's pending commands (the
// QFtp shape). In a test function each becomes a QTRY_VERIFY_WITH_TIMEOUT:
// safe where the loop ran the event loop, unsafe where it only slept.
#include <QtTest/QtTest>
#include <QtCore/QFutureInterface>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <atomic>
#include <chrono>
#include <future>
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
        QTimer::singleShot(10, this, [this] { --pending; });
        QTimer::singleShot(20, this, [this] { --pending; current = None; emit done(); });
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
    void flagSetByAnotherThread();
    void futureFromAnotherThread();
    void promiseKept();
    void spyPumped();
    void pendingCommands();
    void doWhileWaiting();
    void foreverWithBreak();
};

void tst_Polling::flagSetByAnotherThread()
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

void tst_Polling::futureFromAnotherThread()
{
    QFutureInterface<void> promise;
    promise.reportStarted();
    QFuture<void> future = promise.future();
    std::thread worker([&promise] {
        QThread::msleep(20);
        promise.reportFinished();
    });
    while (!future.isFinished())
        QTest::qSleep(5);
    worker.join();
}

void tst_Polling::promiseKept()
{
    std::promise<int> promise;
    std::future<int> answer = promise.get_future();
    std::thread worker([&promise] { promise.set_value(42); });
    while (answer.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready) {
        QThread::msleep(5);
    }
    worker.join();
    QCOMPARE(answer.get(), 42);
}

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
    QVERIFY(!job.hasPendingCommands());
}

void tst_Polling::doWhileWaiting()
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

void tst_Polling::foreverWithBreak()
{
    QAtomicInt count;
    std::thread worker([&count] {
        for (int i = 0; i < 3; ++i) {
            QThread::msleep(5);
            count.ref();
        }
    });
    for (;;) {
        if (count.loadAcquire() == 3)
            break;
        QThread::msleep(5);
    }
    worker.join();
}

QTEST_MAIN(tst_Polling)
#include "polling_other_state.moc"
