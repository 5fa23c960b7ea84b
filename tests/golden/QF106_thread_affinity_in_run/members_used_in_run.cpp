// A server thread in the legacy style: its members are built by the
// constructor, in the thread that creates the ServerThread, and used by run().
#include <QtCore/QSemaphore>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtTest/QtTest>

class ServerThread : public QThread
{
public:
    explicit ServerThread(const QString &name) : m_name(name)
    {
        m_watchdog = new QTimer;
        m_watchdog->setSingleShot(true);
    }

    QSemaphore running;

protected:
    void run() override
    {
        if (!m_server.isListening() && !m_server.listen(m_name))
            return;
        m_watchdog->start(5000);  // a timer of the creating thread: never fires here
        running.release();
        exec();
    }

private:
    QString m_name;
    QLocalServer m_server;
    QTimer *m_watchdog;
};

// The client side checks its socket with QtTest macros inside run().
class ClientThread : public QThread
{
public:
    ClientThread(QLocalSocket *socket, const QString &name) : m_socket(socket), m_name(name) {}

protected:
    void run() override
    {
        if (!m_socket)
            return;
        connect(m_socket, &QLocalSocket::readyRead, [] {});  // connect is thread-safe
        QMetaObject::invokeMethod(m_socket, "abort", Qt::QueuedConnection);
        QCOMPARE(m_socket->state(), QLocalSocket::UnconnectedState);
        m_socket->connectToServer(m_name);
        QVERIFY(m_socket->waitForConnected(5000));
    }

private:
    QLocalSocket *m_socket;
    QString m_name;
};

// Members used only from a lambda that run() connects.
class ReaderThread : public QThread
{
public:
    ReaderThread() : m_log(new QTimer) {}

protected:
    void run() override
    {
        QLocalSocket socket;
        connect(&socket, &QLocalSocket::readyRead, [this, &socket] {
            m_log->start(10);
            socket.readAll();
        });
        exec();
    }

private:
    QTimer *m_log;
};

// moveToThread() only pushes an object away from its own thread: run()
// cannot pull a member of the creating thread into the new one.
class PullingThread : public QThread
{
public:
    PullingThread() : m_timer(new QTimer) {}

protected:
    void run() override
    {
        m_timer->moveToThread(QThread::currentThread());
        m_timer->start(10);
        exec();
    }

private:
    QTimer *m_timer;
};
