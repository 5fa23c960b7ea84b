#include <QtTest/QtTest>
#include <QtCore/QRunnable>
#include <QtCore/QSemaphore>
#include <QtCore/QThreadPool>

// The pool keeps a task whose autoDelete() is off: the test deletes it.
class Waiter : public QRunnable
{
public:
    Waiter() { setAutoDelete(false); }
    void run() override { done.release(); }
    QSemaphore done;
};

// Holds the pool's only thread until the test lets it go.
class Blocker : public QRunnable
{
public:
    Blocker(QSemaphore *started, QSemaphore *finish) : m_started(started), m_finish(finish) {}
    void run() override
    {
        m_started->release();
        m_finish->acquire();
    }
private:
    QSemaphore *m_started;
    QSemaphore *m_finish;
};

class Once : public QRunnable
{
public:
    void run() override {}
};

class tst_Pool : public QObject
{
    Q_OBJECT
private slots:
    void autoDeleteOffInConstructor();
    void autoDeleteOffInTest();
    void takenBackFromThePool();
};

void tst_Pool::autoDeleteOffInConstructor()
{
    QThreadPool pool;
    Waiter *task = new Waiter;
    pool.start(task);
    QVERIFY(task->done.tryAcquire(1, 5000));
    QVERIFY(pool.waitForDone(5000));
    delete task;
}

void tst_Pool::autoDeleteOffInTest()
{
    QThreadPool pool;
    Once *task = new Once;
    task->setAutoDelete(false);
    pool.start(task);
    QVERIFY(pool.waitForDone(5000));
    delete task;
}

void tst_Pool::takenBackFromThePool()
{
    QThreadPool pool;
    pool.setMaxThreadCount(1);
    QSemaphore started, finish;
    pool.start(new Blocker(&started, &finish));
    started.acquire();
    Once *queued = new Once;
    pool.start(queued);
    QVERIFY(pool.tryTake(queued));
    delete queued;
    finish.release();
}

QTEST_MAIN(tst_Pool)
#include "thread_pool_task.moc"
