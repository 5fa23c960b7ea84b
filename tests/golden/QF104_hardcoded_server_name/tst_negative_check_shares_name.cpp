#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>

class tst_NegativeCheckSharesName : public QObject
{
    Q_OBJECT

private slots:
    void nameIsTaken();
    void commentMentionsName();
};

// The second server must fail on the name the first one holds: the negative
// check is rewritten together with the real uses, so it still tests that.
void tst_NegativeCheckSharesName::nameIsTaken()
{
    QLocalServer first;
    QVERIFY(first.listen("taken_name"));
    QLocalServer second;
    QVERIFY(!second.listen("taken_name"));
    QCOMPARE(second.serverError(), QAbstractSocket::AddressInUseError);
}

// A name mentioned in a comment ("comment_name") is not another use of it.
void tst_NegativeCheckSharesName::commentMentionsName()
{
    QLocalServer server;
    QVERIFY(server.listen("comment_name"));
}

QTEST_MAIN(tst_NegativeCheckSharesName)
#include "tst_negative_check_shares_name.moc"
