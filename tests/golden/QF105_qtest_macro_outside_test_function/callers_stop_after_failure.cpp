// Helpers whose every caller stops right after a failed check, so nothing is
// reported: a slot that checks QTest::currentTestFailed() and returns, or
// whose last statement is an `if` on it (or-ed with more); a helper that only
// runs when two const values differ, followed by the check that they are
// equal; a helper whose caller returns the value it fills, which every test
// checks at once. Near misses, reported: a slot whose failure check does not
// stop it, values that are not const, a value the test does not check.
#include <QtTest/QtTest>
#include <QtCore/QEventLoop>
#include <QtCore/QTimer>

class tst_CallersStop : public QObject
{
    Q_OBJECT
public slots:
    void onFirst();
    void onSecond();
    void onThird();

private slots:
    void slotsStop();
    void diffExplained();
    void diffOfVariables();
    void valueChecked();
    void valueUnchecked();

private:
    void readInto(int *target);
    void readSecond(int *target);
    void readThird(int *target);
    void explainDiff(const QByteArray &actual, const QByteArray &expected);
    void explainOther(const QByteArray &actual, const QByteArray &expected);
    void fetchGreeting();
    QByteArray greeting();
    void fetchName();
    QByteArray name();

    QEventLoop loop;
    int value = 0;
    int stops = 0;
    QByteArray cachedGreeting;
    QByteArray cachedName;
};

void tst_CallersStop::readInto(int *target)
{
    QVERIFY(target);
    *target = 1;
}

void tst_CallersStop::readSecond(int *target)
{
    QVERIFY(target);
    *target = 2;
}

void tst_CallersStop::readThird(int *target)
{
    QVERIFY(target);
    *target = 3;
}

void tst_CallersStop::onFirst()
{
    readInto(&value);
    if (QTest::currentTestFailed())
        return loop.quit();
    ++stops;
}

void tst_CallersStop::onSecond()
{
    readSecond(&value);
    if (QTest::currentTestFailed() || value == 2)
        loop.quit();
}

void tst_CallersStop::onThird()
{
    readThird(&value);
    if (QTest::currentTestFailed())
        qWarning("reading failed");
    ++stops;
    loop.quit();
}

void tst_CallersStop::slotsStop()
{
    QTimer::singleShot(0, this, &tst_CallersStop::onFirst);
    QTimer::singleShot(0, this, &tst_CallersStop::onSecond);
    loop.exec();
    QTimer::singleShot(0, this, &tst_CallersStop::onThird);
    loop.exec();
    QCOMPARE(stops, 2);
}

void tst_CallersStop::explainDiff(const QByteArray &actual, const QByteArray &expected)
{
    QVERIFY2(actual.size() == expected.size(), "sizes differ");
    qWarning("contents differ");
}

void tst_CallersStop::explainOther(const QByteArray &actual, const QByteArray &expected)
{
    QVERIFY2(actual.size() == expected.size(), "sizes differ");
    qWarning("contents differ");
}

void tst_CallersStop::diffExplained()
{
    const QByteArray actual = QByteArrayLiteral("abc");
    const QByteArray expected = QByteArrayLiteral("abc");
    if (actual != expected) {
        explainDiff(actual, expected);
    }
    QVERIFY(actual == expected);
}

void tst_CallersStop::diffOfVariables()
{
    QByteArray actual = QByteArrayLiteral("abc");
    QByteArray expected = QByteArrayLiteral("abc");
    if (actual != expected) {
        explainOther(actual, expected);
    }
    QVERIFY(actual == expected);
}

void tst_CallersStop::fetchGreeting()
{
    QByteArray reply = QByteArrayLiteral("hello");
    QVERIFY(!reply.isEmpty());
    cachedGreeting = reply;
}

QByteArray tst_CallersStop::greeting()
{
    if (cachedGreeting.isEmpty()) {
        fetchGreeting();
    }
    return cachedGreeting;
}

void tst_CallersStop::fetchName()
{
    QByteArray reply = QByteArrayLiteral("name");
    QVERIFY(!reply.isEmpty());
    cachedName = reply;
}

QByteArray tst_CallersStop::name()
{
    if (cachedName.isEmpty()) {
        fetchName();
    }
    return cachedName;
}

void tst_CallersStop::valueChecked()
{
    const QByteArray first = greeting();
    QVERIFY(!first.isEmpty());
    const QByteArray second = greeting();
    QCOMPARE(second, first);
}

void tst_CallersStop::valueUnchecked()
{
    const QByteArray text = name();
    qDebug() << text.size();
    QVERIFY(true);
}

QTEST_MAIN(tst_CallersStop)
#include "callers_stop_after_failure.moc"
