// Threads and lambdas: where `this` must not become the parent, and where a
// lambda only looks at the object.
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
        m_idle = new QTimer;  // created in the constructor: same thread as `this`
        m_idle->setInterval(100);
    }

protected:
    void run() override
    {
        // `this` lives in the thread that created it: Qt refuses it as a
        // parent here ("Cannot create children for a parent that is in a
        // different thread").
        QLocalServer *server = new QLocalServer;
        if (!server->listen(m_name))
            return;
        serve(server);
        exec();
    }

private:
    void serve(QLocalServer *server)
    {
        QLocalSocket *probe = new QLocalSocket;  // called from run(): new thread too
        probe->connectToServer(server->serverName());
    }

    QString m_name;
    QTimer *m_idle;
};

class Worker : public QObject
{
public:
    void ping() {}
};

class tst_Threads : public QObject
{
    Q_OBJECT
private slots:
    void workerObject()
    {
        QThread *thread = new QThread;
        Worker *worker = new Worker;
        worker->moveToThread(thread);  // must stay parentless
        thread->start();
        QMetaObject::invokeMethod(worker, &Worker::ping, Qt::QueuedConnection);
        thread->quit();
        QVERIFY(thread->wait(5000));
    }

    void lambdas()
    {
        QLocalServer *server = new QLocalServer;
        connect(server, &QLocalServer::newConnection, this, [server] {
            QLocalSocket *peer = server->nextPendingConnection();
            QLocalSocket *extra = new QLocalSocket;  // inside a lambda: any thread, any time
            QVERIFY(peer && extra);
        });
        QTimer *timer = new QTimer;
        connect(timer, &QTimer::timeout, this, [timer, server] {
            timer->stop();
            QVERIFY(!server->isListening());
        });
        QLocalSocket *socket = new QLocalSocket;
        connect(socket, &QLocalSocket::disconnected, this, [socket] { delete socket; });
        timer->start(10);
    }
};

#include "threads_and_lambdas.moc"
