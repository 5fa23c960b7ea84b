#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

#define START_SERVER(server) \
    QVERIFY2((server).listen("foo"), qPrintable((server).errorString()))

class tst_UserMacro : public QObject
{
    Q_OBJECT

private slots:
    void clientConnects();
};

void tst_UserMacro::clientConnects()
{
    QLocalServer server;
    START_SERVER(server);

    QLocalSocket socket;
    socket.connectToServer("foo");
    QVERIFY(socket.waitForConnected(5000));
}

QTEST_MAIN(tst_UserMacro)
#include "tst_user_macro.moc"
