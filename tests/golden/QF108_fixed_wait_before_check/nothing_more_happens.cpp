#include <QtTest/QtTest>
#include <QtCore/QTimer>

// A check made again after a wait, when nothing between wrote what it reads,
// tests that nothing more happens: a QTRY_* macro would pass at once, so the
// wait is the test. Once the spy is cleared the count has to come back: that
// wait is a fixed wait for an event.
class tst_NothingMoreHappens : public QObject
{
    Q_OBJECT

private slots:
    void noSecondSignal();
    void countComesBack();
};

void tst_NothingMoreHappens::noSecondSignal()
{
    QTimer timer;
    timer.setSingleShot(true);
    QSignalSpy spy(&timer, &QTimer::timeout);
    timer.start(0);
    QVERIFY(spy.wait());
    QCOMPARE(spy.count(), 1);
    timer.setInterval(5);
    QTest::qWait(50);
    QCOMPARE(spy.count(), 1);
}

void tst_NothingMoreHappens::countComesBack()
{
    QTimer timer;
    timer.setSingleShot(true);
    QSignalSpy spy(&timer, &QTimer::timeout);
    timer.start(0);
    QVERIFY(spy.wait());
    QCOMPARE(spy.count(), 1);
    spy.clear();
    timer.start(0);
    QTest::qWait(50);
    QCOMPARE(spy.count(), 1);
}

QTEST_MAIN(tst_NothingMoreHappens)
#include "nothing_more_happens.moc"
