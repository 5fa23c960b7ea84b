// A pointer passed to a `T *&` parameter may be reseated: only the other local is fixed.
#include <QtCore/QTimer>

static void stopAndForget(QTimer *&timer)
{
    timer->stop();
}

void useTwo()
{
    QTimer *kept = new QTimer;
    kept->start(10);
    delete kept;
    QTimer *timer = new QTimer;
    timer->start(10);
    stopAndForget(timer);
    delete timer;
}
