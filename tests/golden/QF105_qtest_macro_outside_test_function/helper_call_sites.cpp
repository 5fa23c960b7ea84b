// How a helper is called decides what qtfix can do: plain statements of a
// test function get a check after them; other call sites leave it alone.
#include <QtTest/QtTest>

template <typename T>
void checkRoundTrip(const T &value)
{
    QByteArray bytes;
    QDataStream out(&bytes, QIODevice::WriteOnly);
    out << value;
    QDataStream in(bytes);
    T copy;
    in >> copy;
    QCOMPARE(copy, value);
}

static void checkNotEmpty(const QByteArray &data)
{
    QVERIFY2(!data.isEmpty(), "no data");
}

static void checkAll(const QList<QByteArray> &chunks)
{
    for (const QByteArray &chunk : chunks)
        checkNotEmpty(chunk);
}

class Fixture : public QObject
{
    Q_OBJECT
protected:
    virtual void verifySetup() { QVERIFY(true); }
};

class tst_CallSites : public QObject
{
    Q_OBJECT
private slots:
    void values();
    void chunks();
    void conditional();

private:
    void compareLater(int expected, int actual) { QCOMPARE(actual, expected); }
};

void tst_CallSites::values()
{
    checkRoundTrip(QString("text"));
    checkRoundTrip(42); /* an int */
    QCOMPARE(QString("text").size(), 4);
}

void tst_CallSites::chunks()
{
    checkAll({"a", "b"});
    QVERIFY(true);
}

void tst_CallSites::conditional()
{
    if (qEnvironmentVariableIsSet("QF105_LATER"))
        compareLater(1, 1);
    QVERIFY(true);
}

QTEST_MAIN(tst_CallSites)
#include "helper_call_sites.moc"
