// Near misses: checks in test functions (also inside QBENCHMARK, QTRY_* and
// Qt 6.4's QCOMPARE_EQ), QFETCH in a helper, helpers whose callers stop
// after a failure, and helpers that report through their return value.
#include <QtCore/QThread>
#include <QtTest/QtTest>

#include <algorithm>

// Meant for bool helpers: the failure is recorded and the caller sees `false`.
#define CHECK_OR_FALSE(cond) \
    do { \
        if (!QTest::qVerify(static_cast<bool>(cond), #cond, "", __FILE__, __LINE__)) \
            return false; \
    } while (false)

static bool sameSize(const QByteArray &a, const QByteArray &b)
{
    CHECK_OR_FALSE(a.size() == b.size());
    return true;
}

static bool allPositive(const QList<int> &values)
{
    if (!QTest::qVerify(std::all_of(values.begin(), values.end(), [](int v) { return v > 0; }),
                        "all positive", "", __FILE__, __LINE__))
        return false;
    return true;
}

class Worker : public QThread
{
public:
    int result = 0;

protected:
    void run() override
    {
        result = 42;
        Q_ASSERT(result == 42);
    }
};

class tst_Belong : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void payload_data();
    void payload();
    void threadResult();
    void benchmark();
    void inlineInClass()
    {
        QVERIFY(sameSize("ab", "cd"));
    }

private:
    void checkPayload();
};

void tst_Belong::initTestCase()
{
    if (qEnvironmentVariableIsSet("QF105_SKIP_ALL"))
        QSKIP("disabled by the environment");
}

void tst_Belong::payload_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::newRow("short") << QByteArray("abc");
    QTest::newRow("long") << QByteArray(64, 'z');
}

void tst_Belong::checkPayload()
{
    QFETCH(QByteArray, payload);
    QVERIFY(!payload.isEmpty());
}

void tst_Belong::payload()
{
    checkPayload();
    if (QTest::currentTestFailed())
        return;
    QFETCH(QByteArray, payload);
    QVERIFY(sameSize(payload, payload));
    QVERIFY(allPositive({1, 2, 3}));
    QVERIFY(std::all_of(payload.begin(), payload.end(), [](char c) { return c != '\0'; }));
#if QT_VERSION >= QT_VERSION_CHECK(6, 4, 0)
    QCOMPARE_EQ(payload.size(), payload.size());
#endif
    checkPayload();
}

void tst_Belong::threadResult()
{
    Worker worker;
    worker.start();
    QVERIFY(worker.wait(3000));
    QTRY_COMPARE(worker.result, 42);
    QEXPECT_FAIL("", "documents a known difference", Continue);
    QCOMPARE(worker.result, 43);
}

void tst_Belong::benchmark()
{
    QByteArray data(256, 'b');
    QBENCHMARK {
        QVERIFY(!data.toBase64().isEmpty());
    }
}

QTEST_MAIN(tst_Belong)
#include "checks_where_they_belong.moc"
