// Ownership in the class: members created in the constructor (or init())
// and deleted in the destructor, and sockets queued with
// addPendingConnection(), which does not reparent them.
#include <QtCore/QTimer>
#include <QtNetwork/QLocalSocket>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

// The destructor only deletes: `this` as parent does the same.
class Worker : public QObject
{
    Q_OBJECT
public:
    Worker()
    {
        m_timer = new QTimer;
        m_timer->setInterval(10);
    }
    ~Worker() override
    {
        delete m_timer;
    }

private:
    QTimer *m_timer;
};

// The destructor does more than delete: the order may matter.
class Reporter : public QObject
{
    Q_OBJECT
public:
    Reporter() { m_socket = new QLocalSocket; }
    ~Reporter() override
    {
        delete m_socket;
        qDebug("reporter gone");
    }

private:
    QLocalSocket *m_socket;
};

// A connection on the member: with a parent it would outlive the other members.
class Listener : public QObject
{
    Q_OBJECT
public:
    Listener()
    {
        m_socket = new QLocalSocket;
        connect(m_socket, &QLocalSocket::disconnected, [this] { ++m_drops; });
    }
    ~Listener() override { delete m_socket; }

private:
    QLocalSocket *m_socket;
    int m_drops = 0;
};

// A server subclass queueing its own sockets: addPendingConnection() keeps
// them without owning them.
class QueueingServer : public QTcpServer
{
    Q_OBJECT
protected:
    void incomingConnection(qintptr descriptor) override
    {
        QTcpSocket *socket = new QTcpSocket;
        socket->setSocketDescriptor(descriptor);
        addPendingConnection(socket);
    }
};

class tst_Lifetimes : public QObject
{
    Q_OBJECT
public:
    ~tst_Lifetimes() override { delete m_timer; }

private slots:
    void init() { m_timer = new QTimer; }
    void cleanup() { delete m_spare; m_spare = nullptr; }
    void first() { QVERIFY(!m_timer->isActive()); m_spare = new QTimer; }
    void second() { QVERIFY(!m_timer->isActive()); }

private:
    QTimer *m_timer = nullptr;
    QTimer *m_spare = nullptr;
};

QTEST_MAIN(tst_Lifetimes)
#include "destructor_and_pending.moc"
