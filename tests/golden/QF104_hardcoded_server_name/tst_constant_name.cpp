#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

#define ECHO_SERVER_NAME "macro_name"

namespace {
const QString controlName = QStringLiteral("constant_name");
const QString busyName = QStringLiteral("busy_name");
}

class tst_ConstantName : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void controlChannel();
    void echoChannel();
    void busyNameRefused();

private:
    QLocalServer holder;
};

// The holder keeps busy_name for the whole run; a test function checks that
// a second server cannot take it. Both go through one constant, so after
// the fix both use the same unique name and the negative check still holds.
void tst_ConstantName::initTestCase()
{
    QVERIFY(holder.listen(busyName));
}

void tst_ConstantName::cleanup()
{
    QLocalServer::removeServer(controlName);
    QLocalServer::removeServer(ECHO_SERVER_NAME);
}

void tst_ConstantName::controlChannel()
{
    QLocalServer server;
    QVERIFY(server.listen(controlName));
    QCOMPARE(server.serverName(), controlName);
    QLocalSocket socket;
    socket.connectToServer(controlName);
    QVERIFY(socket.waitForConnected(5000));
}

void tst_ConstantName::echoChannel()
{
    QLocalServer server;
    QVERIFY(server.listen(ECHO_SERVER_NAME));
    QLocalSocket socket;
    socket.connectToServer(ECHO_SERVER_NAME);
    QVERIFY(socket.waitForConnected(5000));
}

void tst_ConstantName::busyNameRefused()
{
    QLocalServer second;
    QVERIFY(!second.listen(busyName));
    QCOMPARE(second.serverError(), QAbstractSocket::AddressInUseError);
}

QTEST_MAIN(tst_ConstantName)
#include "tst_constant_name.moc"
