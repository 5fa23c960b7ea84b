#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

static QString serverName()
{
    return QLatin1String("runtime-") + QString::number(QCoreApplication::applicationPid());
}

class tst_RuntimeName : public QObject
{
    Q_OBJECT

private slots:
    void namedByPid();
    void namedByArg();
};

void tst_RuntimeName::namedByPid()
{
    QLocalServer server;
    QVERIFY(server.listen(serverName()));
    QLocalSocket socket;
    socket.connectToServer(server.serverName());
    QVERIFY(socket.waitForConnected(5000));
}

void tst_RuntimeName::namedByArg()
{
    const QString name = QString("argument-%1").arg(QCoreApplication::applicationPid());
    QLocalServer server;
    QVERIFY(server.listen(name));
    QLocalSocket socket;
    socket.connectToServer(QLatin1String("argument-") + QString::number(QCoreApplication::applicationPid()));
    QVERIFY(socket.waitForConnected(5000));
}

QTEST_MAIN(tst_RuntimeName)
#include "tst_runtime_name.moc"
