// `this` inside run() is the QThread object, which lives in the thread that
// created it: as a parent it is refused, as a receiver it sends slots back.
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

class EchoThread : public QThread
{
    Q_OBJECT
public:
    explicit EchoThread(const QString &name) : m_name(name) {}

signals:
    void echoed(const QByteArray &data);

protected:
    void run() override
    {
        QTimer *idle = new QTimer(this);
        QLocalServer server;
        connect(&server, &QLocalServer::newConnection, this, &EchoThread::onNewConnection);
        connect(&server, &QLocalServer::newConnection, this, [&server] { server.close(); });
        connect(&server, SIGNAL(newConnection()), this, SLOT(onNewConnection()));
        connect(&server, SIGNAL(newConnection()), SLOT(onNewConnection()));
        QTimer::singleShot(0, this, SLOT(onNewConnection()));
        if (!server.listen(m_name))
            return;
        idle->start(1000);
        exec();
    }

private slots:
    void onNewConnection() {}

private:
    QString m_name;
};

// Near misses: `this` as a sender, direct connections, lambdas without a
// context, objects created in run() and owned by it.
class QuietThread : public QThread
{
    Q_OBJECT
public:
    explicit QuietThread(const QString &name) : m_name(name) {}

signals:
    void ready();

protected:
    void run() override
    {
        QLocalServer server;
        QLocalSocket *socket = new QLocalSocket;
        QTimer timer;
        connect(this, &QuietThread::ready, &server, &QLocalServer::close);
        connect(&server, &QLocalServer::newConnection, this, &QuietThread::onNewConnection, Qt::DirectConnection);
        connect(&server, SIGNAL(newConnection()), this, SLOT(onNewConnection()), Qt::DirectConnection);
        connect(&timer, &QTimer::timeout, [&server] { server.close(); });
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        QTimer::singleShot(0, &server, [] {});
        if (!server.listen(m_name))
            return;
        emit ready();
        exec();
    }

private slots:
    void onNewConnection() {}

private:
    QString m_name;
};

// A thread object moved into its own thread: `this` lives where run() runs.
class SelfMovedThread : public QThread
{
    Q_OBJECT
public:
    SelfMovedThread() { moveToThread(this); }

protected:
    void run() override
    {
        QTimer *tick = new QTimer(this);
        connect(tick, &QTimer::timeout, this, &SelfMovedThread::onTick);
        tick->start(10);
        exec();
    }

private slots:
    void onTick() { quit(); }
};

#include "this_in_run.moc"
