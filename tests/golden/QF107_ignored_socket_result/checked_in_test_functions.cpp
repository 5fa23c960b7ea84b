// A local-socket echo test written the legacy way: every result that says
// whether the server listened, the client connected or the bytes went out
// is dropped on the floor.
#include <QtCore/QScopedPointer>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtTest/QtTest>

#define FOR_EACH_CLIENT(client, statement) \
    for (QLocalSocket *client : clients) { statement; }
#define FIRST_CLIENT clients.first()

static QString echoName()
{
    return QStringLiteral("qf107-echo-") + QString::number(QCoreApplication::applicationPid());
}

class tst_Echo : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void roundTrip();
    void scopedClient();
    void broadcast();
    void hangUp();

private:
    QLocalServer server;
};

void tst_Echo::init()
{
    server.close();
    QLocalServer::removeServer(echoName());
    server.listen(echoName());
}

void tst_Echo::roundTrip()
{
    QLocalSocket client;
    client.connectToServer(echoName());
    client.waitForConnected(3000);
    server.waitForNewConnection(3000);
    QLocalSocket *peer = server.nextPendingConnection();
    if (!peer)
        return;
    const QByteArray request("ping");
    client.write(request);
    QVERIFY(client.waitForBytesWritten(3000));
    QVERIFY(peer->waitForReadyRead(3000));
    peer->write(peer->readAll());
    QTRY_COMPARE(client.bytesAvailable(), qint64(request.size()));
    QCOMPARE(client.readAll(), request);
}

void tst_Echo::scopedClient()
{
    QScopedPointer<QLocalSocket> client(new QLocalSocket);
    client->connectToServer(echoName());
    if (client->state() != QLocalSocket::ConnectedState)
        client->waitForConnected(3000);
    QVERIFY(server.waitForNewConnection(3000));
    QScopedPointer<QLocalSocket> peer(server.nextPendingConnection());
    client->write("hello");
    QTRY_COMPARE(peer->bytesAvailable(), qint64(5));
}

void tst_Echo::broadcast()
{
    QList<QLocalSocket *> clients;
    for (int i = 0; i < 2; ++i) {
        clients.append(new QLocalSocket(this));
        clients.last()->connectToServer(echoName());
    }
    const QByteArray note = "note";
    FOR_EACH_CLIENT(client, client->write(note));
    FIRST_CLIENT->write(note);
    FOR_EACH_CLIENT(client, QVERIFY(client->waitForBytesWritten(3000)));
    qDeleteAll(clients);
}

void tst_Echo::hangUp()
{
    QLocalSocket client;
    client.connectToServer(echoName());
    QVERIFY(client.waitForConnected(3000));
    QVERIFY(server.waitForNewConnection(3000));
    QLocalSocket *peer = server.nextPendingConnection();
    QVERIFY(peer);
    peer->disconnectFromServer();
    peer->waitForDisconnected(3000);
    client.waitForDisconnected(3000);
    QVERIFY(client.readAll().isEmpty());
}

QTEST_MAIN(tst_Echo)
#include "checked_in_test_functions.moc"
