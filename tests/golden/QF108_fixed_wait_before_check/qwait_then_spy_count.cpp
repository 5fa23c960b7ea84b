// A fixed qWait before counting a QSignalSpy's emissions. An exact count may
// be passed later (a second emission the wait would have caught): the fix is
// unsafe, applied only with --unsafe-fixes. A lower bound stays true: safe.
#include <QtTest/QtTest>

class tst_SpyCount : public QObject
{
    Q_OBJECT

private slots:
    void firesOnce();
    void firesAtLeastOnce();
    void firesWithValue();
};

void tst_SpyCount::firesOnce()
{
    QTimer timer;
    timer.setSingleShot(true);
    QSignalSpy spy(&timer, &QTimer::timeout);
    timer.start(20);
    QTest::qWait(400);
    QCOMPARE(spy.count(), 1);
}

void tst_SpyCount::firesAtLeastOnce()
{
    QTimer timer;
    QSignalSpy spy(&timer, &QTimer::timeout);
    timer.start(10);
    QTest::qWait(250);
    QVERIFY(spy.count() >= 1);
    QVERIFY(!spy.isEmpty());
}

void tst_SpyCount::firesWithValue()
{
    QObject object;
    QSignalSpy spy(&object, &QObject::objectNameChanged);
    QTimer::singleShot(20, &object, [&object] { object.setObjectName(QStringLiteral("done")); });
    QTest::qWait(200);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(object.objectName(), QStringLiteral("done"));
}

QTEST_MAIN(tst_SpyCount)
#include "qwait_then_spy_count.moc"
