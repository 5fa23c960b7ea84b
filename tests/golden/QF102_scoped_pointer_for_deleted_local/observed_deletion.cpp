// The deletion is what each test checks: the fix must keep its moment.
#include <QtTest/QtTest>
#include <QtCore/QPointer>
#include <QtCore/QUuid>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

class tst_ObservedDeletion : public QObject
{
    Q_OBJECT
private slots:
    void deleteTakesTheChild();
    void destroyedIsEmitted();
    void guardSeesIt();
    void clientNoticesServerGone();
};

void tst_ObservedDeletion::deleteTakesTheChild()
{
    QObject *owner = new QObject;
    QPointer<QObject> child = new QObject(owner);
    QVERIFY(child);
    delete owner;
    QVERIFY(child.isNull());
}

void tst_ObservedDeletion::destroyedIsEmitted()
{
    QTimer *timer = new QTimer;
    QSignalSpy destroyed(timer, &QObject::destroyed);
    timer->start(1000);
    QVERIFY(timer->isActive());
    delete timer;
    QCOMPARE(destroyed.count(), 1);
}

void tst_ObservedDeletion::guardSeesIt()
{
    QTimer *timer = new QTimer;
    QPointer<QTimer> guard = timer;
    QVERIFY(!guard.isNull());
    delete timer;
}

void tst_ObservedDeletion::clientNoticesServerGone()
{
    QLocalServer *server = new QLocalServer;
    QVERIFY(server->listen(QUuid::createUuid().toString(QUuid::WithoutBraces)));
    QLocalSocket client;
    client.connectToServer(server->fullServerName());
    QVERIFY(client.waitForConnected(5000));
    QVERIFY(server->waitForNewConnection(5000));
    QSignalSpy disconnected(&client, &QLocalSocket::disconnected);
    delete server; // takes the accepted connection with it
    QTRY_COMPARE(disconnected.count(), 1);
}

QTEST_MAIN(tst_ObservedDeletion)
#include "observed_deletion.moc"
