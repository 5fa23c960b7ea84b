#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtNetwork/QTcpSocket>

class tst_EventLoopBodies : public QObject
{
    Q_OBJECT
private slots:
    void waitsForPeer();
};

void tst_EventLoopBodies::waitsForPeer()
{
    QLocalServer server;
    QVERIFY(server.listen(QStringLiteral("tst_EventLoopBodies-%1").arg(QCoreApplication::applicationPid())));
    QLocalSocket client;
    client.connectToServer(server.serverName());
    while (!server.hasPendingConnections())
        QCoreApplication::processEvents();
    QLocalSocket *peer = server.nextPendingConnection();
    QVERIFY(peer);
    while (client.state() != QLocalSocket::ConnectedState) {
        qApp->processEvents();
    }
    peer->write("ping");
    peer->flush();
    while (client.bytesAvailable() == 0)
        QTest::qWait(10);
    QCOMPARE(client.readAll(), QByteArray("ping"));
}

QTEST_MAIN(tst_EventLoopBodies)
#include "event_loop_bodies.moc"
