#include <QtTest/QtTest>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

// The test starts a helper program that connects back to the server: the
// helper has the port compiled in, so only the test can be changed by hand
// (tell the helper the port on its command line).
class tst_HelperProcess : public QObject
{
    Q_OBJECT

private slots:
    void helperConnects();
};

void tst_HelperProcess::helperConnects()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 49210));
    QProcess helper;
    helper.start(QStringLiteral("./portclient"), QStringList());
    if (!helper.waitForStarted(5000))
        QSKIP("the helper program is not built");
    QVERIFY(server.waitForNewConnection(5000));
    helper.waitForFinished(5000);
}

QTEST_MAIN(tst_HelperProcess)
#include "tst_helper_process.moc"
