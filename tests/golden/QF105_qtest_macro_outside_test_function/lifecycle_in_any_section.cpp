// QTest calls initTestCase, initTestCase_data, cleanupTestCase, init, cleanup
// and <test>_data by name whatever their access section, when moc registered
// them (slots, or Q_INVOKABLE); a static private slot without parameters is
// a test function too. Checks there are where they belong. The helpers below
// them (a public slot, a slot with a parameter, a _data slot of no test
// function, a plain method named like a test) are not run by QTest; a _data
// slot of no test function never runs at all, so it is not reported.
#include <QtTest/QtTest>

class tst_Lifecycle : public QObject
{
    Q_OBJECT
public:
    Q_INVOKABLE void cleanupTestCase() { QVERIFY(m_inits > 0); }

public slots:
    void initTestCase_data()
    {
        QTest::addColumn<int>("global");
        QTest::newRow("one") << 1;
    }
    void initTestCase() { QVERIFY(qEnvironmentVariableIsEmpty("QF105_NO_SUCH_VARIABLE")); }
    void init()
    {
        ++m_inits;
        QVERIFY(m_inits > 0);
    }
    void rows_data()
    {
        QTest::addColumn<int>("value");
        QVERIFY(m_inits > 0);
        QTest::newRow("two") << 2;
    }
    void publicCheck() { QCOMPARE(m_inits, m_inits); }

protected slots:
    void cleanup() { QVERIFY(m_inits > 0); }

private slots:
    static void staticTest();
    void rows();
    void checkValue(int value);
    void unused_data() { QVERIFY(m_inits >= 0); }

private:
    int m_inits = 0;
};

void tst_Lifecycle::staticTest()
{
    QVERIFY(QByteArray("abc").size() == 3);
}

void tst_Lifecycle::checkValue(int value)
{
    QCOMPARE(value % 2, 0);
}

void tst_Lifecycle::rows()
{
    QFETCH(int, value);
    checkValue(value);
    publicCheck();
    QVERIFY(value > 0);
}

QTEST_MAIN(tst_Lifecycle)
#include "lifecycle_in_any_section.moc"
