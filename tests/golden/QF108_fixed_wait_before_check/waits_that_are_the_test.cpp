// Checks that something does NOT happen: the fixed wait is the test (a QTRY
// form would pass at once), so none of these is reported.
#include <QtTest/QtTest>

class tst_NothingHappens : public QObject
{
    Q_OBJECT

private slots:
    void stoppedTimerStaysSilent();
    void flagStaysFalse();
    void listStaysEmpty();
    void atMostOnce();
    void oneHappensTheOtherNot();
    void negationIsReadAsNothingHappens();
    void firedOnceAndNoMore();
};

void tst_NothingHappens::stoppedTimerStaysSilent()
{
    QTimer timer;
    QSignalSpy spy(&timer, &QTimer::timeout);
    timer.start(20);
    timer.stop();
    QTest::qWait(100);
    QCOMPARE(spy.count(), 0);
    QVERIFY(spy.isEmpty());
}

void tst_NothingHappens::flagStaysFalse()
{
    bool fired = false;
    QTimer timer;
    connect(&timer, &QTimer::timeout, this, [&fired] { fired = true; });
    timer.start(10);
    timer.stop();
    QTest::qWait(100);
    QVERIFY(!fired);
    QCOMPARE(fired, false);
}

void tst_NothingHappens::listStaysEmpty()
{
    QStringList seen;
    QTest::qWait(50);
    QVERIFY(seen.isEmpty());
    QThread::msleep(50);
    QCoreApplication::processEvents();
    QCOMPARE(seen.isEmpty(), true);
}

void tst_NothingHappens::atMostOnce()
{
    QTimer timer;
    timer.setSingleShot(true);
    QSignalSpy spy(&timer, &QTimer::timeout);
    timer.start(10);
    QTest::qWait(150);
    QVERIFY(spy.count() <= 1);
}

void tst_NothingHappens::oneHappensTheOtherNot()
{
    QTimer fires, stopped;
    QSignalSpy fired(&fires, &QTimer::timeout), silent(&stopped, &QTimer::timeout);
    fires.start(10);
    stopped.start(10);
    stopped.stop();
    QTest::qWait(150);
    QVERIFY(fired.count() >= 1);
    QCOMPARE(silent.count(), 0);
}

// `!x` is read as "x did not happen", even where it means "x stopped": qtfix
// leaves it alone rather than guess.
void tst_NothingHappens::negationIsReadAsNothingHappens()
{
    QTimer timer;
    timer.setSingleShot(true);
    timer.start(5);
    QTest::qSleep(100);
    QCoreApplication::processEvents();
    QVERIFY(!timer.isActive());
}

// The same check before the wait: what the wait tests is that it still holds.
void tst_NothingHappens::firedOnceAndNoMore()
{
    QTimer timer;
    timer.setSingleShot(true);
    QSignalSpy spy(&timer, &QTimer::timeout);
    timer.start(5);
    QVERIFY(spy.wait(1000));
    QCOMPARE(spy.count(), 1);
    QTest::qWait(100);  // no second emission
    QCOMPARE(spy.count(), 1);
}

QTEST_MAIN(tst_NothingHappens)
#include "waits_that_are_the_test.moc"
