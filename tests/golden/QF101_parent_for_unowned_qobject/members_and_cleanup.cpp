// Members: followed through every member function of the class before
// calling them unowned.
#include <QtCore/QTimer>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtTest/QtTest>

class tst_Members : public QObject
{
    Q_OBJECT
public:
    tst_Members() : m_server(new QLocalServer) {}
    ~tst_Members() { delete m_peer; }

private slots:
    void initTestCase()
    {
        m_timer = new QTimer;
        m_watchdog = new QTimer;
        QVERIFY(m_server->listen(QStringLiteral("tst_Members-%1").arg(QCoreApplication::applicationPid())));
    }
    void cleanupTestCase() { m_timer->deleteLater(); }

    void init()
    {
        m_socket = new QLocalSocket;
        QLocalSocket *client = new QLocalSocket;
        m_client = client;
        QLocalSocket *peer = new QLocalSocket;
        m_peer = peer;
    }
    void cleanup()
    {
        delete m_socket;
        m_socket = nullptr;
    }

    void connectClient()
    {
        m_client->connectToServer(m_server->serverName());
        QVERIFY(m_client->waitForConnected(5000));
        QVERIFY(m_server->waitForNewConnection(5000));
        QCOMPARE(m_socket->state(), QLocalSocket::UnconnectedState);
        m_watchdog->start(5000);
    }

private:
    QLocalServer *m_server;
    QTimer *m_timer = nullptr;
    QTimer *m_watchdog = nullptr;
    QLocalSocket *m_socket = nullptr;
    QLocalSocket *m_client = nullptr;
    QLocalSocket *m_peer = nullptr;
};

// A helper QObject in the legacy style: its destructor frees the socket.
class EchoClient : public QObject
{
    Q_OBJECT
public:
    explicit EchoClient(const QString &name)
    {
        m_socket = new QLocalSocket;
        m_socket->connectToServer(name);
        m_backup = new QLocalSocket;
    }
    ~EchoClient() override { delete m_socket; }

signals:
    void echoed(const QByteArray &data);

private:
    QLocalSocket *m_socket;
    QLocalSocket *m_backup;
};

// Its destructor is defined in another file: qtfix cannot see what it frees.
class RemoteClient : public QObject
{
public:
    RemoteClient() { m_socket = new QLocalSocket; }
    ~RemoteClient() override;

private:
    QLocalSocket *m_socket;
};

QTEST_MAIN(tst_Members)
#include "members_and_cleanup.moc"
