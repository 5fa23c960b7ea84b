// Near misses: results dropped on purpose (casts, expected failures checked
// next, short polls, polling loops), results that are used, and devices
// that are not sockets.
#include <QtCore/QBuffer>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtTest/QtTest>

static QString pollName()
{
    return QStringLiteral("qf107-poll-") + QString::number(QCoreApplication::applicationPid());
}

class tst_OnPurpose : public QObject
{
    Q_OBJECT
private slots:
    void expectedFailures();
    void polling();
    void usedResults();
    void notSockets();
};

void tst_OnPurpose::expectedFailures()
{
    QLocalServer server;
    server.listen(QString());
    QVERIFY(!server.isListening());

    QLocalSocket client;
    client.connectToServer(QStringLiteral("qf107-nobody-listens-here"));
    client.waitForConnected(1000);
    QCOMPARE(client.error(), QLocalSocket::ServerNotFoundError);

    (void)client.waitForReadyRead(10);
    Q_UNUSED(client.flush());
    static_cast<void>(client.write("dropped"));
}

void tst_OnPurpose::polling()
{
    QLocalServer server;
    QLocalServer::removeServer(pollName());
    QVERIFY(server.listen(pollName()));
    QLocalSocket client;
    client.connectToServer(pollName());
    for (int i = 0; i < 20 && !server.hasPendingConnections(); ++i)
        server.waitForNewConnection(250);
    QLocalSocket *peer = server.nextPendingConnection();
    QVERIFY(peer);
    peer->write("tick");
    QVERIFY(peer->waitForBytesWritten(1000));
    client.waitForReadyRead(50);
    while (client.bytesAvailable() < 4)
        client.waitForReadyRead(1000);
    QCOMPARE(client.readAll(), QByteArray("tick"));
}

void tst_OnPurpose::usedResults()
{
    QLocalServer server;
    QLocalServer::removeServer(pollName());
    if (!server.listen(pollName()))
        QFAIL(qPrintable(server.errorString()));
    QLocalSocket client;
    client.connectToServer(pollName());
    const bool connected = client.waitForConnected(1000);
    QVERIFY(connected);
    QVERIFY(server.waitForNewConnection(1000));
    const qint64 written = client.write("data");
    QCOMPARE(written, qint64(4));
}

void tst_OnPurpose::notSockets()
{
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    buffer.write("in memory");
    QCOMPARE(buffer.data(), QByteArray("in memory"));
}

QTEST_MAIN(tst_OnPurpose)
#include "ignored_on_purpose.moc"
