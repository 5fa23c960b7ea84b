// Sleep polling and waiting for a line: sleeping never lets a socket of this
// thread see its events, so these loops hang; the fix blocks in waitFor...()
// within a bound. (Not run: the inputs would hang.)
#include <QtTest/QtTest>
#include <QtNetwork/QLocalSocket>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <unistd.h>

class tst_SleepPolling : public QObject
{
    Q_OBJECT
private slots:
    void sleepUntilConnected();
    void sleepUntilLine();
    void sleepUntilConnection();
    void waitForLine();
};

void tst_SleepPolling::sleepUntilConnected()
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, 1);
    while (socket.state() != QAbstractSocket::ConnectedState)
        QThread::msleep(10);
}

void tst_SleepPolling::sleepUntilLine()
{
    QTcpSocket *socket = new QTcpSocket(this);
    socket->connectToHost(QHostAddress::LocalHost, 1);
    for (;;) {
        if (socket->canReadLine())
            break;
        QTest::qSleep(10);
    }
}

void tst_SleepPolling::sleepUntilConnection()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    do {
        ::usleep(1000);
    } while (!server.hasPendingConnections());
}

void tst_SleepPolling::waitForLine()
{
    QLocalSocket socket;
    socket.connectToServer(QStringLiteral("tst_SleepPolling"));
    while (!socket.canReadLine()) {
    }
}

bool readLineIn(QLocalSocket &socket)
{
    QLocalSocket own;
    own.connectToServer(socket.serverName());
    while (!own.canReadLine())
        QThread::usleep(100);
    return own.canReadLine();
}

QTEST_MAIN(tst_SleepPolling)
#include "sleep_and_line_polling.moc"
