#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

// The shape of Qt 5.15's tst_qlocalsocket fullPath(): a name held in a
// variable and joined with a fixed directory into the server's path.
// Parallel runs meet on that socket file: reported at the name, no fix
// (a path needs a unique directory, not a unique name). A path built in a
// QTemporaryDir is already unique and stays silent.
class tst_FixedPath : public QObject
{
    Q_OBJECT

private slots:
    void fullPath();
    void pathInTemporaryDir();
};

void tst_FixedPath::fullPath()
{
    QLocalServer server;
    QString name = "qtfix_golden_pathtest";
    QString path = "/tmp";
    QString serverName = path + '/' + name;
    QVERIFY2(server.listen(serverName), qPrintable(server.errorString()));
    QCOMPARE(server.serverName(), serverName);
    QLocalSocket socket;
    socket.connectToServer(serverName);
    QVERIFY(socket.waitForConnected(5000));
}

void tst_FixedPath::pathInTemporaryDir()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QLocalServer server;
    QString name = "in_temporary_dir";
    QString serverName = dir.path() + '/' + name;
    QVERIFY(server.listen(serverName));
}

QTEST_MAIN(tst_FixedPath)
#include "tst_fixed_path.moc"
