#include <QTest>
#include <QSignalSpy>
#include <QLocalServer>
#include <QLocalSocket>

class tst_NoUmbrella : public QObject
{
    Q_OBJECT

private slots:
    void newConnectionSignal();
};

void tst_NoUmbrella::newConnectionSignal()
{
    QLocalServer server;
    QSignalSpy spy(&server, &QLocalServer::newConnection);
    QVERIFY(server.listen("foo"));

    QLocalSocket socket;
    socket.connectToServer("foo");
    QVERIFY(socket.waitForConnected(5000));
    QTRY_COMPARE(spy.count(), 1);
}

QTEST_MAIN(tst_NoUmbrella)
#include "tst_no_umbrella.moc"
