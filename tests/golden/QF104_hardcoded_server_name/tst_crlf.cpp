#include <QTest>
#include <QLocalServer>
#include <QLocalSocket>

class tst_Crlf : public QObject
{
    Q_OBJECT

private slots:
    void connectClient();
};

void tst_Crlf::connectClient()
{
    QLocalServer server;
    QVERIFY(server.listen("foo"));

    QLocalSocket socket;
    socket.connectToServer("foo");
    QVERIFY(socket.waitForConnected(5000));
}

QTEST_MAIN(tst_Crlf)
#include "tst_crlf.moc"
