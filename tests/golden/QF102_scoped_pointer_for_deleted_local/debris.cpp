// Where the `delete` goes, nothing is left behind: no lone comment, no blank
// line before the `}`; a delete with a comment keeps its place as `reset()`.
#include <QtCore/QBuffer>
#include <QtCore/QTimer>
#include <QtTest/QTest>

void trailingComment()
{
    QTimer *timer = new QTimer;
    timer->start(10);
    QVERIFY(timer->isActive());
    delete timer; // stops it too
}

void commentAbove()
{
    QTimer *timer = new QTimer;
    timer->start(10);
    QVERIFY(timer->isActive());
    // clean up
    delete timer;
}

void blankLineBefore()
{
    QTimer *timer = new QTimer;
    timer->start(10);
    QVERIFY(timer->isActive());

    delete timer;
}

void onlyDeletesFollow()
{
    QTimer *first = new QTimer;
    QTimer *second = new QTimer;
    first->start(10);
    second->start(20);
    QCOMPARE(second->interval(), 20);
    delete first;
    delete second;
}

bool plainReturnFollows()
{
    QBuffer *buffer = new QBuffer;
    if (!buffer->buffer().isEmpty())
        return false;
    const bool opened = buffer->open(QIODevice::ReadOnly);
    delete buffer;
    return opened;
}

int statementsFollow()
{
    QTimer *timer = new QTimer;
    timer->setInterval(5);
    if (timer->isActive())
        return -1;
    const int interval = timer->interval();
    delete timer;
    QTimer other;
    return interval + other.interval();
}
