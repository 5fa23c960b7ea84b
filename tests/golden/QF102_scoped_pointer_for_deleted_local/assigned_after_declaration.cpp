// `T *p;` then `p = new T;`: fixed when that assignment is the only one, is a
// statement of the declaring block and comes before every other use.
#include <QtTest/QtTest>
#include <QtNetwork/QLocalSocket>

static void touch(QIODevice *device)
{
    device->isOpen();
}

class tst_AssignedLater : public QObject
{
    Q_OBJECT
private slots:
    void assignedLater();
    void assignedFromNull();
    void assignedTwice();
    void usedBeforeAssignment();
    void assignedConditionally();
};

void tst_AssignedLater::assignedLater()
{
    QLocalSocket *socket;
    socket = new QLocalSocket;
    QVERIFY(!socket->isOpen());
    touch(socket);
    delete socket;
}

void tst_AssignedLater::assignedFromNull()
{
    QLocalSocket *socket = nullptr;
    socket = new QLocalSocket(this);
    QCOMPARE(socket->state(), QLocalSocket::UnconnectedState);
    delete socket;
}

void tst_AssignedLater::assignedTwice()
{
    QLocalSocket first;
    QLocalSocket *socket;
    socket = &first;
    QVERIFY(!socket->isOpen());
    socket = new QLocalSocket;
    delete socket;
}

void tst_AssignedLater::usedBeforeAssignment()
{
    QLocalSocket *socket = nullptr;
    QVERIFY(!socket);
    socket = new QLocalSocket;
    delete socket;
}

void tst_AssignedLater::assignedConditionally()
{
    QLocalSocket *socket = nullptr;
    if (QCoreApplication::arguments().size() < 1000)
        socket = new QLocalSocket;
    QVERIFY(socket);
    delete socket;
}

QTEST_MAIN(tst_AssignedLater)
#include "assigned_after_declaration.moc"
