#include <QtCore/QObject>
#include <QtCore/QTimer>
#include <QtTest/QTest>

void scheduleWork(QObject *context)
{
    QTimer *timer = new QTimer;
    auto *watchdog = new QTimer();
    timer->setSingleShot(true);
    QVERIFY(!watchdog->isActive());
    auto byValue = [=]() { timer->start(10); };
    auto mixed = [&, timer]() { timer->stop(); watchdog->stop(); };
    auto renamed = [t = timer]() { t->start(1); };
    auto nested = [timer]() {
        auto inner = [timer]() { return timer->isActive(); };
        return inner();
    };
    QObject::connect(timer, &QTimer::timeout, context, [watchdog] { watchdog->start(100); });
    byValue();
    mixed();
    renamed();
    if (!nested())
        timer->start(5);
    delete timer;
    delete watchdog;
}
