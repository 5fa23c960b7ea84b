// A pointer passed to a `T *&` parameter may be reseated: only the other local is fixed.
#include <QtCore/QTimer>
#include <QtTest/QTest>

static void stopAndForget(QTimer *&timer)
{
    timer->stop();
}

void useTwo()
{
    QTimer *kept = new QTimer;
    kept->start(10);
    QVERIFY(kept->isActive());
    delete kept;
    QTimer *timer = new QTimer;
    timer->start(10);
    QVERIFY(timer->isActive());
    stopAndForget(timer);
    delete timer;
}
