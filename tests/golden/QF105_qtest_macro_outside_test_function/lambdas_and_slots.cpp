// Checks in lambdas and in slots: a lambda kept in a variable and called in
// place, lambdas handed to algorithms and timers, and a Qt 5-style slot.
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtTest/QtTest>

#include <algorithm>

// Not a test class: QTEST_MAIN runs tst_Lambdas, so these private slots are
// plain signal handlers.
class Counter : public QObject
{
    Q_OBJECT
public:
    int seen = 0;

private slots:
    void onNewConnection()
    {
        QVERIFY(sender());
        ++seen;
    }
};

class tst_Lambdas : public QObject
{
    Q_OBJECT
private slots:
    void roundTrip();
    void everyChunk();
    void stringConnect();

protected slots:
    void acceptClient();

private:
    QLocalServer server;
    int accepted = 0;
};

void tst_Lambdas::roundTrip()
{
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::ReadWrite));
    auto writeAndCheck = [&buffer](const QByteArray &chunk) {
        const qint64 before = buffer.pos();
        QCOMPARE(buffer.write(chunk), qint64(chunk.size()));
        QCOMPARE(buffer.pos(), before + chunk.size());
    };
    writeAndCheck("first");
    writeAndCheck(QByteArray(3, 'x'));
    QCOMPARE(buffer.data(), QByteArray("firstxxx"));
}

void tst_Lambdas::everyChunk()
{
    const QList<QByteArray> chunks = {"a", "bb", "ccc"};
    std::for_each(chunks.begin(), chunks.end(), [](const QByteArray &chunk) {
        QVERIFY(!chunk.isEmpty());
    });
    auto later = [&chunks]() { QCOMPARE(chunks.size(), 3); };
    QTimer::singleShot(0, this, later);
    QTest::qWait(10);
}

void tst_Lambdas::stringConnect()
{
    const QString name = QStringLiteral("qf105-slots-") + QString::number(QCoreApplication::applicationPid());
    QLocalServer::removeServer(name);
    Counter counter;
    connect(&server, SIGNAL(newConnection()), this, SLOT(acceptClient()));
    connect(&server, SIGNAL(newConnection()), &counter, SLOT(onNewConnection()));
    QVERIFY(server.listen(name));
    QLocalSocket client;
    client.connectToServer(name);
    QTRY_COMPARE(accepted, 1);
    QCOMPARE(counter.seen, 1);
}

void tst_Lambdas::acceptClient()
{
    QLocalSocket *peer = server.nextPendingConnection();
    QVERIFY(peer);
    ++accepted;
}

QTEST_MAIN(tst_Lambdas)
#include "lambdas_and_slots.moc"
