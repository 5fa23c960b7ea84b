// Reported, but left alone: a check with side effects (QTRY would call
// nextPendingConnection() again on every try), and a wait whose length is
// not a constant (no timeout can be chosen that is no shorter).
#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

class tst_NoFix : public QObject
{
    Q_OBJECT

private slots:
    void acceptsOne();
    void waitsConfiguredTime();

private:
    int delay = 50;
};

void tst_NoFix::acceptsOne()
{
    QLocalServer server;
    QVERIFY(server.listen(QStringLiteral("qf108-") + QUuid::createUuid().toString(QUuid::Id128)));
    QLocalSocket socket;
    socket.connectToServer(server.serverName());
    QTest::qWait(300);
    QVERIFY(server.nextPendingConnection() != nullptr);
}

void tst_NoFix::waitsConfiguredTime()
{
    bool done = false;
    QTimer::singleShot(0, this, [&done] { done = true; });
    QTest::qWait(delay);
    QVERIFY(done);
}

QTEST_MAIN(tst_NoFix)
#include "reported_without_fix.moc"
