// Checks outside test functions that the test functions already handle, and
// so are not reported: a recursive helper whose callers check
// QTest::currentTestFailed(); a helper whose result flag the caller
// verifies; a lambda whose QSKIP or failure the test reads back through a
// captured flag or a data member it returns; a `_data` function of no test
// function (QTest never runs it).
#include <QtTest/QtTest>
#include <QtCore/QJsonObject>

class tst_Handled : public QObject
{
    Q_OBJECT
    void compareJson(const QJsonObject &actual, const QJsonObject &expected)
    {
        for (auto it = actual.constBegin(); it != actual.constEnd(); ++it) {
            if (it.value().isObject()) {
                compareJson(it.value().toObject(), expected.value(it.key()).toObject());
            } else {
                QCOMPARE(it.value(), expected.value(it.key()));
            }
        }
    }
    void checkSum(int a, int b, bool *ok)
    {
        *ok = false;
        QCOMPARE(a + b, 3);
        *ok = true;
    }
    void checkProduct(int a, int b, bool &ok)
    {
        ok = false;
        QCOMPARE(a * b, 2);
        ok = true;
    }
    bool m_canMessage = false;
    bool canMessage()
    {
        auto internalCheck = [this] {
            if (qEnvironmentVariableIsSet("QTFIX_GOLDEN_NO_MESSAGES"))
                QSKIP("messages are off");
            m_canMessage = true;
        };
        internalCheck();
        return m_canMessage;
    }
private slots:
    void json();
    void memberFlag();
    void flags();
    void skipThroughFlag();
    void failureThroughFlag();
    void neverRun_data();
};

void tst_Handled::json()
{
    QJsonObject inner{{"x", 1}};
    QJsonObject object{{"a", 1}, {"b", inner}};
    compareJson(object, object);
    QVERIFY(!QTest::currentTestFailed());
    compareJson(inner, inner);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(true);
}

void tst_Handled::memberFlag()
{
    if (!canMessage())
        return;
    QVERIFY(m_canMessage);
}

void tst_Handled::flags()
{
    bool ok = false;
    checkSum(1, 2, &ok);
    QVERIFY(ok);
    checkProduct(1, 2, ok);
    QVERIFY2(ok, "checkProduct failed");
    QCOMPARE(ok, true);
}

void tst_Handled::skipThroughFlag()
{
    bool skipped = false;
    auto probe = [&skipped](bool supported) {
        if (!supported) {
            skipped = true;
            QSKIP("not supported here");
        }
    };
    probe(true);
    if (skipped)
        return;
    QVERIFY(!skipped);
}

void tst_Handled::failureThroughFlag()
{
    bool done = false;
    QObject sender;
    connect(&sender, &QObject::objectNameChanged, this, [&done](const QString &name) {
        QCOMPARE(name, QStringLiteral("x"));
        done = true;
    });
    sender.setObjectName(QStringLiteral("x"));
    QVERIFY(done);
}

void tst_Handled::neverRun_data()
{
    QTest::addColumn<int>("n");
    QVERIFY(true);
    QTest::newRow("one") << 1;
}

QTEST_MAIN(tst_Handled)
#include "handled_by_the_test.moc"
