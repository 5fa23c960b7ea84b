#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>

// The shape of Qt 5.15's tst_qlocalsocket removeServer(): all uses of the
// name are in one function, the negative check sits in an #ifndef block and
// is spelled `! server2.listen(...)`. One shared unique name keeps every
// check, the negative one included, testing the same thing.
class tst_RemoveServerTakeover : public QObject
{
    Q_OBJECT

private slots:
    void removeServer();
};

void tst_RemoveServerTakeover::removeServer()
{
    // a hostile takeover; recovering from a crash looks the same
    QLocalServer server, server2;
    QVERIFY(QLocalServer::removeServer("cleanuptest"));
    QVERIFY(server.listen("cleanuptest"));
#ifndef Q_OS_WIN
    // on Unix only one server can listen on the name
    QVERIFY(! server2.listen("cleanuptest"));
#endif
    QVERIFY(QLocalServer::removeServer("cleanuptest"));
    QVERIFY(server2.listen("cleanuptest"));
}

QTEST_MAIN(tst_RemoveServerTakeover)
#include "tst_remove_server_takeover.moc"
