// Escapes as the pointer-fate analysis sees them: through a cast, a
// reference parameter, a connected deleteLater(), an opaque call.
#include <QtCore/QObject>
#include <QtCore/QTimer>
#include <QtTest/QtTest>

void watch(QObject *object);
void reseat(QTimer *&timer);

QObject *castBack(bool early)
{
    QTimer *timer = new QTimer;
    if (early)
        return static_cast<QObject *>(timer);  // returned through a cast: the caller owns it
    delete timer;
    return nullptr;
}

void castAlias()
{
    QTimer *timer = new QTimer;
    QObject *object = static_cast<QObject *>(timer);  // an alias through a cast
    object->setObjectName("alias");
    QVERIFY(!timer->isActive());
    delete timer;
}

void byReference()
{
    QTimer *timer = new QTimer;
    reseat(timer);  // the callee may reseat or delete it
    QVERIFY(timer);
    delete timer;
}

class tst_FateEscapes : public QObject
{
    Q_OBJECT
private slots:
    void connectedDeleteLater();
    void opaqueCall();
    void memberCallIsNoEscape();
};

void tst_FateEscapes::connectedDeleteLater()
{
    QTimer *timer = new QTimer;
    QTimer trigger;
    connect(&trigger, &QTimer::timeout, timer, &QObject::deleteLater);
    QVERIFY(!trigger.isActive());
    delete timer;
}

void tst_FateEscapes::opaqueCall()
{
    QTimer *timer = new QTimer;
    watch(timer);
    QVERIFY(!timer->isActive());
    delete timer;
}

void tst_FateEscapes::memberCallIsNoEscape()
{
    QList<int> *values = new QList<int>;
    values->append(1);  // a member call on the object, not a hand-off
    QCOMPARE(values->size(), 1);
    delete values;
}

void watch(QObject *) {}
void reseat(QTimer *&) {}

QTEST_MAIN(tst_FateEscapes)
#include "fate_escapes.moc"
