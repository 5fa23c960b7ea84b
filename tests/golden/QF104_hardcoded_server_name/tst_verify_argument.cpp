#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>

class tst_VerifyArgument : public QObject
{
    Q_OBJECT

private slots:
    void listenInsideVerify();
};

void tst_VerifyArgument::listenInsideVerify()
{
    QLocalServer server;
    QVERIFY(server.listen("foo"));
    QVERIFY(server.isListening());

    QLocalServer second;
    QVERIFY2(second.listen("bar"), qPrintable(second.errorString()));

    QLocalServer third;
    QCOMPARE(third.listen("baz"), true);
}

QTEST_MAIN(tst_VerifyArgument)
#include "tst_verify_argument.moc"
