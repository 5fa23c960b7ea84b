#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>

class tst_LiteralUsedElsewhere : public QObject
{
    Q_OBJECT

private slots:
    void serverNameIsKept();
};

void tst_LiteralUsedElsewhere::serverNameIsKept()
{
    QLocalServer server;
    QVERIFY(server.listen("foo"));
    // The test checks the name itself: a unique name would break it.
    QCOMPARE(server.serverName(), QString("foo"));
}

QTEST_MAIN(tst_LiteralUsedElsewhere)
#include "tst_literal_used_elsewhere.moc"
