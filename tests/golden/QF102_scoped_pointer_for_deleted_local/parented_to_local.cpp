// A parent given at construction that is a local object frees the child on
// every return: the delete is manual, but nothing leaks. A parent that
// outlives the function (the test object) keeps a child alive after an
// early return: reported.
#include <QtCore/QTimer>
#include <QtTest/QtTest>

class tst_Parented : public QObject
{
    Q_OBJECT
private slots:
    void parentOnTheStack();
    void parentOutlivesTheFunction();
};

void tst_Parented::parentOnTheStack()
{
    QObject owner;
    QTimer *timer = new QTimer(&owner);
    timer->start(10);
    QVERIFY(timer->isActive());
    delete timer;
    QVERIFY(owner.children().isEmpty());
}

void tst_Parented::parentOutlivesTheFunction()
{
    QTimer *timer = new QTimer(this);
    timer->start(10);
    QVERIFY(timer->isActive());
    delete timer;
}

QTEST_MAIN(tst_Parented)
#include "parented_to_local.moc"
