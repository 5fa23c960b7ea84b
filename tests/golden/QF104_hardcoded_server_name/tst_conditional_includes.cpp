#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#ifdef Q_OS_UNIX
#  include <unistd.h>
#endif

// qtfix's helper and #include <QUuid> must land after the #endif above:
// inside the block they would not exist on Windows.
class tst_ConditionalIncludes : public QObject
{
    Q_OBJECT

private slots:
    void serverAndClient();
};

void tst_ConditionalIncludes::serverAndClient()
{
    QLocalServer server;
    QVERIFY(server.listen("conditional"));
    QLocalSocket client;
    client.connectToServer("conditional");
    QVERIFY(client.waitForConnected(5000));
#ifdef Q_OS_UNIX
    QVERIFY(::getpid() > 0);
#endif
}

QTEST_MAIN(tst_ConditionalIncludes)
#include "tst_conditional_includes.moc"
