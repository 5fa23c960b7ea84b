// A sleep, then one processEvents(), then the check: the QTRY_* form keeps
// running the event loop until the flag is set, then goes on at once.
#include <QtTest/QtTest>
#include <QtCore/QThread>
#include <unistd.h>

class tst_SleepEvents : public QObject
{
    Q_OBJECT

private slots:
    void flagFromTimer();
    void flagFromThread();
    void countAfterUsleep();
    void flagSetAgain();
};

void tst_SleepEvents::flagFromTimer()
{
    bool done = false;
    QTimer::singleShot(10, this, [&done] { done = true; });
    QThread::msleep(200);
    QCoreApplication::processEvents();
    QVERIFY(done);
}

void tst_SleepEvents::flagFromThread()
{
    bool done = false;
    QThread *worker = QThread::create([this, &done] {
        QMetaObject::invokeMethod(this, [&done] { done = true; }, Qt::QueuedConnection);
    });
    worker->start();
    QThread::sleep(1);
    qApp->processEvents();
    QCOMPARE(done, true);
    worker->wait();
    delete worker;
}

void tst_SleepEvents::countAfterUsleep()
{
    QTimer timer;
    QSignalSpy spy(&timer, &QTimer::timeout);
    timer.start(5);
    ::usleep(100000);
    QCoreApplication::processEvents();
    QVERIFY(spy.count() > 0);
}

// The same check again, but the flag was reset in between: a new wait for a
// new event, not a check that the old one still holds.
void tst_SleepEvents::flagSetAgain()
{
    bool done = false;
    QTimer::singleShot(10, this, [&done] { done = true; });
    QThread::msleep(100);
    QCoreApplication::processEvents();
    QVERIFY(done);
    done = false;
    QTimer::singleShot(10, this, [&done] { done = true; });
    QThread::msleep(100);
    QCoreApplication::processEvents();
    QVERIFY(done);
}

QTEST_MAIN(tst_SleepEvents)
#include "sleep_then_process_events.moc"
