// Polling a predicate that is not declared const (`bool isStopped()`, as
// QtConcurrent's ThreadEngine::isCanceled()): by its name a read, so the loop
// is a poll like any other. In a test function it becomes a QTRY; in a worker's
// method it is reported without a fix. A race test repeats a scenario whose
// timing it provokes: reported without a fix. Near misses: a non-const call
// that is not a predicate (it may change what it tests), a predicate with an
// argument, and a test whose name only contains "race" inside a word.
#include <QtTest/QtTest>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <atomic>
#include <thread>

class Engine
{
public:
    bool isStopped() { return stopped.load(); }
    bool isStoppedAfter(int turns) { return stopped.load() || turns > 1000; }
    bool takeStop() { return stopped.exchange(false); }
    void stop() { stopped = true; }
    void work()
    {
        while (!isStopped())
            QThread::msleep(1);
    }

private:
    std::atomic<bool> stopped{false};
};

class tst_PollingQueries : public QObject
{
    Q_OBJECT
private slots:
    void nonConstPredicate();
    void startStopRace();
    void traceEvents();
    void nearMisses();
};

void tst_PollingQueries::nonConstPredicate()
{
    Engine engine;
    std::thread stopper([&engine] {
        QThread::msleep(10);
        engine.stop();
    });
    while (!engine.isStopped())
        QThread::msleep(1);
    stopper.join();
}

void tst_PollingQueries::startStopRace()
{
    for (int i = 0; i < 5; ++i) {
        bool fired = false;
        QTimer::singleShot(0, this, [&fired] { fired = true; });
        while (!fired)
            QCoreApplication::processEvents();
    }
}

void tst_PollingQueries::traceEvents()
{
    for (int i = 0; i < 5; ++i) {
        bool fired = false;
        QTimer::singleShot(0, this, [&fired] { fired = true; });
        while (!fired)
            QCoreApplication::processEvents();
    }
}

void tst_PollingQueries::nearMisses()
{
    Engine engine;
    std::thread stopper([&engine] { engine.stop(); });
    stopper.join();
    while (!engine.takeStop())
        QThread::msleep(1);
    engine.stop();
    int turns = 0;
    while (!engine.isStoppedAfter(turns))
        QThread::msleep(1);
    std::thread worker([&engine] { engine.work(); });
    engine.stop();
    worker.join();
}

QTEST_MAIN(tst_PollingQueries)
#include "polling_queries_and_races.moc"
