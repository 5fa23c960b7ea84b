#include <QtCore/QObject>
#include <QtCore/QTimer>

int countTicks()
{
    QTimer *timer = new QTimer;
    int ticks = 0;
    QObject::connect(timer, &QTimer::timeout, [&ticks]() { ++ticks; });
    if (timer->isActive())
        return -1;
    delete timer;
    return ticks;
}
