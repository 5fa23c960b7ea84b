#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

// What comes after an ignored result decides whether it matters: a checked
// waitForBytesWritten later in the block fails when the write did, a
// waitForDisconnected on the way out has nothing depending on it. A checked
// waitForReadyRead does not cover a write: it fails too, but as a timeout.
class tst_WhatFollows : public QObject
{
    Q_OBJECT

private slots:
    void writeThenReplyExpected();
    void writeCoveredByLaterWait();
    void disconnectOnTheWayOut();
    void disconnectThenChecked();

private:
    bool connectPair(QLocalServer &server, QLocalSocket &client, const char *suffix);
};

bool tst_WhatFollows::connectPair(QLocalServer &server, QLocalSocket &client, const char *suffix)
{
    const QString name = QStringLiteral("qtfix-follows-%1-").arg(QCoreApplication::applicationPid()) + suffix;
    if (!server.listen(name))
        return false;
    client.connectToServer(name);
    return client.waitForConnected(5000) && server.waitForNewConnection(5000);
}

void tst_WhatFollows::writeThenReplyExpected()
{
    QLocalServer server;
    QLocalSocket client;
    QVERIFY(connectPair(server, client, "a"));
    QLocalSocket *peer = server.nextPendingConnection();
    QVERIFY(peer->write("hello") == 5 && peer->waitForBytesWritten(5000));
    client.write("ping");
    QVERIFY(client.waitForReadyRead(5000));
}

void tst_WhatFollows::writeCoveredByLaterWait()
{
    QLocalServer server;
    QLocalSocket client;
    QVERIFY(connectPair(server, client, "b"));
    client.write("ping");
    QCOMPARE(client.state(), QLocalSocket::ConnectedState);
    QVERIFY(client.waitForBytesWritten(5000));
    // a wait after several writes does not show that each one worked
    client.write("one");
    client.write("two");
    QVERIFY(client.waitForBytesWritten(5000));
}

void tst_WhatFollows::disconnectOnTheWayOut()
{
    QLocalServer server;
    QLocalSocket client;
    QVERIFY(connectPair(server, client, "c"));
    client.disconnectFromServer();
    if (client.state() != QLocalSocket::UnconnectedState) {
        client.waitForDisconnected(5000);
        return;
    }
}

void tst_WhatFollows::disconnectThenChecked()
{
    QLocalServer server;
    QLocalSocket client;
    QVERIFY(connectPair(server, client, "d"));
    QSignalSpy disconnected(&client, &QLocalSocket::disconnected);
    client.disconnectFromServer();
    client.waitForDisconnected(5000);
    QCOMPARE(disconnected.count(), 1);
}

QTEST_MAIN(tst_WhatFollows)
#include "what_follows_the_call.moc"
