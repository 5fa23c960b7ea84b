// Test functions that create sockets and servers and never free them.
#include <QtCore/QFile>
#include <QtCore/QSettings>
#include <QtCore/QTimer>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtTest/QtTest>

class tst_LeakyLocalSocket : public QObject
{
    Q_OBJECT
private slots:
    void listenAndConnect();
    void pingPong();
    void twoClients();
    void settingsAndFiles();
    void earlyReturn();
};

static QString testName()
{
    return QStringLiteral("tst_LeakyLocalSocket-%1").arg(QCoreApplication::applicationPid());
}

void tst_LeakyLocalSocket::listenAndConnect()
{
    QLocalServer *server = new QLocalServer;
    QVERIFY(server->listen(testName()));

    QLocalSocket *socket = new QLocalSocket();
    socket->connectToServer(server->serverName());
    QVERIFY(socket->waitForConnected(5000));
    QVERIFY(server->waitForNewConnection(5000));
    QCOMPARE(socket->state(), QLocalSocket::ConnectedState);
    server->close();
}

void tst_LeakyLocalSocket::pingPong()
{
    QTimer *watchdog = new QTimer;
    watchdog->setSingleShot(true);
    watchdog->start(5000);
    QVERIFY(watchdog->isActive());

    QLocalSocket *socket;
    socket = new QLocalSocket;
    QSignalSpy errors(socket, &QLocalSocket::errorOccurred);
    socket->connectToServer(QStringLiteral("tst_LeakyLocalSocket-nobody"));
    QVERIFY(!socket->waitForConnected(100));
    QCOMPARE(errors.count(), 1);
}

void tst_LeakyLocalSocket::twoClients()
{
    QLocalSocket *first = new QLocalSocket, *second = new QLocalSocket;
    QLocalSocket *third = new QLocalSocket,
                 *fourth =
                     new QLocalSocket;
    QVERIFY(first != second);
    QVERIFY(third != fourth);
}

void tst_LeakyLocalSocket::settingsAndFiles()
{
    QSettings *settings = new QSettings("qtfix", "tst");
    QSettings *orgOnly = new QSettings("qtfix");
    QFile *file = new QFile(QStringLiteral("leaky.txt"));
    QCOMPARE(settings->organizationName(), QStringLiteral("qtfix"));
    QCOMPARE(orgOnly->applicationName(), QString());
    QVERIFY(!file->isOpen());
}

void tst_LeakyLocalSocket::earlyReturn()
{
    QLocalSocket *socket = new QLocalSocket;
    if (socket->state() != QLocalSocket::UnconnectedState)
        return;
    QCOMPARE(socket->bytesAvailable(), qint64(0));
}

QTEST_MAIN(tst_LeakyLocalSocket)
#include "leaked_in_test_functions.moc"
