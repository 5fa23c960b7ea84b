#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

class tst_EarlyReturn : public QObject
{
    Q_OBJECT
private slots:
    void connectAndSend();
};

void tst_EarlyReturn::connectAndSend()
{
    QLocalServer server;
    QVERIFY(server.listen(QStringLiteral("tst_EarlyReturn-%1").arg(QCoreApplication::applicationPid())));

    QLocalSocket *socket = new QLocalSocket;
    QSignalSpy connected(socket, &QLocalSocket::connected);
    socket->connectToServer(server.serverName());
    QVERIFY(socket != nullptr);
    QVERIFY(socket->waitForConnected(5000));
    QCOMPARE(connected.count(), 1);
    QVERIFY(server.waitForNewConnection(5000));
    QLocalSocket *peer = server.nextPendingConnection();
    QVERIFY(peer);
    QCOMPARE(socket->write("ping"), qint64(4));
    QVERIFY(socket->waitForBytesWritten(5000));
    delete socket;
}

QTEST_MAIN(tst_EarlyReturn)
#include "early_return_in_test.moc"
