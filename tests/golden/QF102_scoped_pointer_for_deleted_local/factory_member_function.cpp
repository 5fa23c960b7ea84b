#include <QtTest/QtTest>
#include <QtNetwork/QTcpSocket>

class tst_Factory : public QObject
{
    Q_OBJECT
public:
    virtual QTcpSocket *virtualSocket() { return new QTcpSocket; }
private slots:
    void fromFactory();
    void fromAutoFactory();
    void fromVirtual();
    void fromKeeper();
private:
    QTcpSocket *newSocket(bool buffered = true)
    {
        if (!buffered)
            return new QTcpSocket(this);
        return new QTcpSocket;
    }
    QTcpSocket *keptSocket()
    {
        QTcpSocket *socket = new QTcpSocket;
        kept = socket;
        return socket;
    }
    QTcpSocket *kept = nullptr;
};

void tst_Factory::fromFactory()
{
    QTcpSocket *socket = newSocket();
    QCOMPARE(socket->state(), QAbstractSocket::UnconnectedState);
    delete socket;
}

void tst_Factory::fromAutoFactory()
{
    auto socket = newSocket(false);
    QCOMPARE(socket->state(), QAbstractSocket::UnconnectedState);
    delete socket;
}

void tst_Factory::fromVirtual()
{
    QTcpSocket *socket = virtualSocket();
    QVERIFY(socket);
    delete socket;
}

void tst_Factory::fromKeeper()
{
    QTcpSocket *socket = keptSocket();
    QVERIFY(socket);
    delete socket;
    kept = nullptr;
}

QTEST_MAIN(tst_Factory)
#include "factory_member_function.moc"
