// Ownership through hand-offs: `p = nullptr` after the delete, a delete
// through an alias (no fix), take*() out of a list, lists freed by qDeleteAll.
#include <QtCore/QObject>
#include <QtCore/QTimer>
#include <QtCore/QList>
#include <QtTest/QtTest>

class tst_Shapes : public QObject
{
    Q_OBJECT
private slots:
    void nulledAfterDelete();
    void nulledMidFunction();
    void deletedThroughAlias();
    void takenOut();
    void takenOutAuto();
};

void tst_Shapes::nulledAfterDelete()
{
    QTimer *timer = new QTimer;
    QVERIFY(!timer->isActive());
    delete timer;
    timer = nullptr;
}

void tst_Shapes::nulledMidFunction()
{
    QTimer *timer = new QTimer;
    QVERIFY(!timer->isActive());
    delete timer;
    timer = nullptr;
    QVERIFY(!timer);
}

void tst_Shapes::deletedThroughAlias()
{
    QTimer *timer = new QTimer;
    QVERIFY(!timer->isActive());
    QObject *object = timer;
    delete object;
}

void tst_Shapes::takenOut()
{
    QList<QTimer *> timers;
    timers.append(new QTimer);
    QTimer *timer = timers.takeFirst();
    QVERIFY(!timer->isActive());
    delete timer;
}

void tst_Shapes::takenOutAuto()
{
    QList<QTimer *> timers{new QTimer, new QTimer};
    auto *timer = timers.takeAt(1);
    QVERIFY(!timer->isActive());
    delete timer;
    qDeleteAll(timers);
}


class tst_Lists : public QObject
{
    Q_OBJECT
private slots:
    void endsTheFunction();
    void clearedAfter();
    void midFunction();
    void usedAfter();
    void nothingReturnsEarly();
    void returned();
    void iterators();
};

void tst_Lists::endsTheFunction()
{
    QList<QTimer *> timers;
    for (int i = 0; i < 3; ++i)
        timers.append(new QTimer);
    QCOMPARE(timers.size(), 3);
    for (QTimer *timer : timers)
        QVERIFY(!timer->isActive());
    qDeleteAll(timers);
}

void tst_Lists::clearedAfter()
{
    QVector<QObject *> objects{new QObject, new QObject};
    QVERIFY(objects.at(0) != objects[1]);
    qDeleteAll(objects);
    objects.clear();
    QVERIFY(objects.isEmpty());
}

void tst_Lists::midFunction()
{
    std::vector<QObject *> objects{new QObject};
    QVERIFY(objects.front());
    qDeleteAll(objects);
    QVERIFY(true);
}

void tst_Lists::usedAfter()
{
    QList<QObject *> objects{new QObject};
    QVERIFY(objects.first());
    qDeleteAll(objects);
    QCOMPARE(objects.size(), 1);
}

void tst_Lists::nothingReturnsEarly()
{
    QList<QObject *> objects{new QObject};
    objects.first()->setObjectName("x");
    qDeleteAll(objects);
}

static QList<QObject *> keep(QList<QObject *> objects) { return objects; }

void tst_Lists::returned()
{
    QList<QObject *> objects{new QObject};
    QVERIFY(objects.first());
    keep(objects);
    qDeleteAll(objects);
}

void tst_Lists::iterators()
{
    QList<QObject *> objects;
    for (int i = 0; i < 2; ++i)
        objects << new QObject;
    QCOMPARE(objects.size(), 2);
    qDeleteAll(objects.begin(), objects.end());
}

QTEST_MAIN(tst_Shapes)
#include "ownership_handoffs.moc"
