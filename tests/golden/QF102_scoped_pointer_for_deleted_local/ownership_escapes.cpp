// Near misses: each pointer's ownership is handled elsewhere, so no fix.
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#define DISPOSE(p) delete p

QTimer *makeTimer()
{
    QTimer *timer = new QTimer;
    timer->setInterval(5);
    return timer;  // returned: the caller owns it
}

class Holder : public QObject
{
public:
    void keep()
    {
        QTimer *timer = new QTimer;
        stored = timer;  // stored in a member
        QVERIFY(stored);
        delete timer;
    }
    void reparent()
    {
        QTimer *timer = new QTimer;
        timer->setParent(this);
        QVERIFY(timer->parent());
        delete timer;
    }
    void later()
    {
        QTimer *timer = new QTimer;
        timer->deleteLater();
        QVERIFY(!timer->isActive());
        delete timer;
    }
    void somePaths(bool b)
    {
        QTimer *timer = new QTimer;
        if (b) {
            delete timer;
            return;
        }
        timer->start();
        delete timer;
    }
    void onlyConditional(bool b)
    {
        QTimer *timer = new QTimer;
        if (b)
            delete timer;
    }
    void deletedTwice(bool b)
    {
        QTimer *timer = new QTimer;
        delete timer;
        if (b)
            delete timer;
    }
    void array()
    {
        int *values = new int[4];
        values[0] = 1;
        QCOMPARE(values[0], 1);
        delete[] values;
    }
    void reassigned()
    {
        QTimer *timer = new QTimer;
        QVERIFY(!timer->isActive());
        delete timer;
        timer = new QTimer;  // a second object in the same variable
    }
    void container()
    {
        QList<QTimer *> timers;
        QTimer *timer = new QTimer;
        timers.append(timer);
        QCOMPARE(timers.size(), 1);
        delete timer;
    }
    void threaded()
    {
        QTimer *timer = new QTimer;
        QThread thread;
        timer->moveToThread(&thread);
        QCOMPARE(timer->thread(), &thread);
        delete timer;
    }
    void macroDelete()
    {
        QTimer *timer = new QTimer;
        timer->start();
        QVERIFY(timer->isActive());
        DISPOSE(timer);
    }

private:
    QTimer *stored = nullptr;
};

class AdoptingServer : public QTcpServer
{
public:
    void adopt()
    {
        QTcpSocket *socket = new QTcpSocket;
        addPendingConnection(socket);  // the server's pending queue owns it
        QVERIFY(hasPendingConnections());
        delete socket;
    }
};
