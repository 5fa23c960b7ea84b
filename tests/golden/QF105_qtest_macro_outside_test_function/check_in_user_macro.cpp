// A user macro after a helper call that already stops the test function
// after a failure: the fix adds no second check there, only where nothing
// stops it.
#include <QtTest/QtTest>

#define STOP_ON_FAILURE \
    if (QTest::currentTestFailed()) \
        return;

#define RETURN_IF_FAILED() \
    do { \
        if (QTest::currentTestFailed()) \
            return; \
    } while (false)

class tst_UserMacro : public QObject
{
    Q_OBJECT
private slots:
    void plainMacro();
    void functionLikeMacro();
    void noMacro();

private:
    void checkSize(const QByteArray &data, int size);
};

void tst_UserMacro::checkSize(const QByteArray &data, int size)
{
    QCOMPARE(data.size(), size);
}

void tst_UserMacro::plainMacro()
{
    checkSize("ab", 2);
    STOP_ON_FAILURE
    checkSize("abc", 3);
    STOP_ON_FAILURE
    QVERIFY(true);
}

void tst_UserMacro::functionLikeMacro()
{
    checkSize("abcd", 4);
    RETURN_IF_FAILED();
    QVERIFY(true);
}

void tst_UserMacro::noMacro()
{
    checkSize("", 0);
    QVERIFY(true);
}

QTEST_MAIN(tst_UserMacro)
#include "check_in_user_macro.moc"
