// A test that --verify=tests must catch: QF104 gives the server in
// clientFindsServerByItsParts() a unique name, but the client builds the name
// from parts qtfix does not follow, so with the fix it connects to nothing.
// The fix compiles; only running the test shows it is wrong. The fix in
// serverAcceptsOneClient() is right and must be kept.
#include <QLocalServer>
#include <QLocalSocket>
#include <QtTest>

class tst_SharedName : public QObject
{
    Q_OBJECT
private slots:
    void clientFindsServerByItsParts()
    {
        QLocalServer server;
        QVERIFY(server.listen("rb-joined"));
        const QString prefix = QStringLiteral("rb-");
        QLocalSocket client;
        client.connectToServer(prefix + QLatin1String("joined"));
        QVERIFY(client.waitForConnected(2000));
    }

    void serverAcceptsOneClient()
    {
        QLocalServer server;
        QVERIFY(server.listen("sharedname-server"));
        QLocalSocket client;
        client.connectToServer("sharedname-server");
        QVERIFY(client.waitForConnected(5000));
        QVERIFY(server.waitForNewConnection(5000));
    }
};

QTEST_MAIN(tst_SharedName)
#include "tst_sharedname.moc"
