// Near misses: each loop is already bounded, blocks, or is not a plain spin.
#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

class tst_Bounded : public QObject
{
    Q_OBJECT
private slots:
    void bounded();
};

void tst_Bounded::bounded()
{
    QLocalServer server;
    QVERIFY(server.listen(QStringLiteral("tst_Bounded-%1").arg(QCoreApplication::applicationPid())));
    QLocalSocket socket;
    socket.connectToServer(server.serverName());
    QElapsedTimer timer;
    timer.start();
    while (socket.state() != QLocalSocket::ConnectedState && timer.elapsed() < 5000)
        QCoreApplication::processEvents();
    int tries = 0;
    while (!server.hasPendingConnections()) {
        if (++tries > 100)
            break;
        server.waitForNewConnection(50);
    }
    QTRY_VERIFY(server.hasPendingConnections() || socket.state() == QLocalSocket::ConnectedState);
    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QLocalSocket::ConnectedState, 5000);
    while (socket.bytesAvailable() == 0 && socket.waitForReadyRead(100)) {
    }
    int spins = 0;
    while (socket.state() != QLocalSocket::ConnectedState) {
        ++spins;
        QCoreApplication::processEvents();
    }
}

QTEST_MAIN(tst_Bounded)
#include "bounded_loops_untouched.moc"
