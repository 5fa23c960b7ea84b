// Polling loops that are reported without a fix (a helper, a stress test, a
// benchmark, a measured wait) and near misses that are not reported at all:
// already bounded by a clock or a counter, a condition that changes state,
// a body that does more than wait, a worker waiting for its go.
#include <QtTest/QtTest>
#include <QtCore/QElapsedTimer>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <atomic>
#include <thread>

class Worker : public QThread
{
public:
    std::atomic<bool> stop{false};
    void run() override
    {
        while (!stop)
            QThread::msleep(1);
    }
};

static void waitUntil(const std::atomic<bool> &flag)
{
    while (!flag)
        QThread::msleep(1);
}

class tst_PollingLeftAlone : public QObject
{
    Q_OBJECT
private slots:
    void helperWaits();
    void stressManyThreads();
    void benchmarkedWait();
    void measuredWait();
    void nearMisses();
};

void tst_PollingLeftAlone::helperWaits()
{
    std::atomic<bool> go{false};
    std::thread setter([&go] { go = true; });
    waitUntil(go);
    setter.join();
}

void tst_PollingLeftAlone::stressManyThreads()
{
    std::atomic<int> started{0};
    std::thread a([&started] { ++started; });
    std::thread b([&started] { ++started; });
    while (started.load() != 2)
        QThread::usleep(100);
    a.join();
    b.join();
}

void tst_PollingLeftAlone::benchmarkedWait()
{
    QBENCHMARK_ONCE {
        bool fired = false;
        QTimer::singleShot(1, this, [&fired] { fired = true; });
        while (!fired)
            QCoreApplication::processEvents();
    }
}

void tst_PollingLeftAlone::measuredWait()
{
    bool fired = false;
    QElapsedTimer timer;
    timer.start();
    QTimer::singleShot(20, this, [&fired] { fired = true; });
    while (!fired)
        QTest::qWait(1);
    QVERIFY(timer.elapsed() >= 20);
}

void tst_PollingLeftAlone::nearMisses()
{
    bool fired = false;
    QTimer::singleShot(5, this, [&fired] { fired = true; });
    QElapsedTimer timer;
    timer.start();
    while (!fired && timer.elapsed() < 5000)
        QCoreApplication::processEvents();
    int tries = 0;
    while (!fired && ++tries < 1000)
        QTest::qWait(1);
    int turns = 0;
    while (!fired) {
        ++turns;
        QCoreApplication::processEvents();
    }
    for (;;) {
        if (fired)
            break;
        else
            QCoreApplication::processEvents();
    }
    while (!fired) {
    }
    std::atomic<bool> go{true};
    std::thread waiter([&go] {
        while (!go)
            QThread::msleep(1);
    });
    waiter.join();
    Worker worker;
    worker.start();
    worker.stop = true;
    worker.wait();
    QVERIFY(fired);
}

QTEST_MAIN(tst_PollingLeftAlone)
#include "polling_left_alone.moc"
