#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

// A test that starts a helper process which meets it on the name: a name
// made unique inside this process would not reach the helper, so these are
// reported without a fix. A test function that starts nothing is fixed.
class tst_HelperProcess : public QObject
{
    Q_OBJECT

private slots:
    void nameOnTheCommandLine();
    void helperStartedBeside();
    void noHelper();
};

void tst_HelperProcess::nameOnTheCommandLine()
{
    QLocalServer server;
    QVERIFY(server.listen("helper_argument"));
    QProcess helper;
    helper.start("./helper", QStringList() << "--connect" << "helper_argument");
    if (!helper.waitForStarted())
        QSKIP("no helper program here");
    QVERIFY(helper.waitForFinished());
}

void tst_HelperProcess::helperStartedBeside()
{
    QLocalServer server;
    QVERIFY(server.listen("helper_builtin"));
    QProcess helper;
    helper.start("./helper", QStringList());
    if (!helper.waitForStarted())
        QSKIP("no helper program here");
    QVERIFY(helper.waitForFinished());
}

void tst_HelperProcess::noHelper()
{
    QLocalServer server;
    QVERIFY(server.listen("no_helper"));
    QLocalSocket socket;
    socket.connectToServer("no_helper");
    QVERIFY(socket.waitForConnected(5000));
}

QTEST_MAIN(tst_HelperProcess)
#include "tst_helper_process.moc"
