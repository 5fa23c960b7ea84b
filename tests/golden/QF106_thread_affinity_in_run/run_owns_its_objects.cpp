// Correct Qt usage: what run() uses was created by run() (or moved to the
// thread), and what crosses threads does so through thread-safe calls.
#include <QtCore/QPointer>
#include <QtCore/QScopedPointer>
#include <QtCore/QSemaphore>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtTest/QtTest>

// The reviewed benchmark's server thread: everything lives in run().
class ServerThread : public QThread
{
public:
    QSemaphore running;

    explicit ServerThread(int chunkSize)
    {
        buffer.resize(chunkSize);
        buffer.fill('a');
    }

    void run() override
    {
        QLocalServer *server = new QLocalServer();
        connect(server, &QLocalServer::newConnection, [this, server]() {
            auto socket = server->nextPendingConnection();
            connect(socket, &QLocalSocket::readyRead, [this, socket]() {
                const auto bytesAvailable = socket->bytesAvailable();
                Q_ASSERT(bytesAvailable <= this->buffer.size());
                QCOMPARE(socket->read(this->buffer.data(), bytesAvailable), bytesAvailable);
                QCOMPARE(socket->write(this->buffer.data(), bytesAvailable), bytesAvailable);
            });
        });
        QVERIFY(server->listen("foo"));
        running.release();
        exec();
        delete server;
    }

protected:
    QByteArray buffer;
};

// Pointer members that run() creates itself, or fetches from an object it created.
class PeerThread : public QThread
{
public:
    PeerThread() : m_server(nullptr), m_peer(nullptr) {}

protected:
    void run() override
    {
        m_server.reset(new QLocalServer);
        if (!m_server->listen(QStringLiteral("peer-thread")))
            return;
        QVERIFY(m_server->waitForNewConnection(5000));
        m_peer = m_server->nextPendingConnection();
        QCOMPARE(m_peer->state(), QLocalSocket::ConnectedState);
        setUp();
        m_timer->start(10);
        exec();
    }

private:
    void setUp() { m_timer = new QTimer; }

    QScopedPointer<QLocalServer> m_server;
    QLocalSocket *m_peer;
    QTimer *m_timer = nullptr;
};

// A member moved to the thread before it starts: it lives where run() runs.
class MovedThread : public QThread
{
public:
    MovedThread() : m_timer(new QTimer) { m_timer->moveToThread(this); }

protected:
    void run() override
    {
        m_timer->start(10);
        exec();
    }

private:
    QTimer *m_timer;
};

class Notifier : public QObject
{
    Q_OBJECT
signals:
    void ping();
};

// Members of another thread reached only through thread-safe calls.
class NotifierThread : public QThread
{
public:
    NotifierThread(QObject *receiver, QThread *other, Notifier *notifier)
        : m_receiver(receiver), m_other(other), m_notifier(notifier)
    {
    }

protected:
    void run() override
    {
        if (!m_receiver || !m_other)
            return;
        QMetaObject::invokeMethod(m_receiver, "deleteLater", Qt::QueuedConnection);
        QCoreApplication::postEvent(m_receiver, new QEvent(QEvent::User));
        m_other->quit();
        m_other->wait();
        m_guard = m_receiver;
        QVERIFY(m_guard);
        emit m_notifier->ping();
    }

private:
    QObject *m_receiver;
    QThread *m_other;
    Notifier *m_notifier;
    QPointer<QObject> m_guard;
};

// Not a QThread: a run() of any other class is not a thread's body.
class Job : public QObject
{
public:
    void run() { m_timer.start(10); }

private:
    QTimer m_timer;
};

// The worker-object pattern: what QF106 asks for.
class Worker : public QObject
{
public:
    void start() { m_server.listen(QStringLiteral("worker")); }

private:
    QLocalServer m_server{this};
};

void startWorker(QThread *thread)
{
    Worker *worker = new Worker;
    worker->moveToThread(thread);
    QObject::connect(thread, &QThread::started, worker, &Worker::start);
    QObject::connect(thread, &QThread::finished, worker, &QObject::deleteLater);
    thread->start();
}

#include "run_owns_its_objects.moc"
