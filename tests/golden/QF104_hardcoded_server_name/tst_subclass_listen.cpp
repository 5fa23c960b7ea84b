#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

// A test-local server that clears a stale socket file before listening and
// counts its connections. Its own body passes a parameter on, not a name.
class CountingServer : public QLocalServer
{
public:
    bool listen(const QString &name)
    {
        removeServer(name);
        return QLocalServer::listen(name);
    }

    int connections = 0;

protected:
    void incomingConnection(quintptr descriptor) override
    {
        ++connections;
        QLocalServer::incomingConnection(descriptor);
    }
};

// A client that inherits connectToServer unchanged.
class EchoClient : public QLocalSocket
{
};

// Not a local server: a class of its own with the same method name.
class Recorder
{
public:
    bool listen(const QString &channel) { last = channel; return true; }
    QString last;
};

class tst_SubclassListen : public QObject
{
    Q_OBJECT

private slots:
    void wrapperListens();
    void recorderIsNotAServer();
};

void tst_SubclassListen::wrapperListens()
{
    CountingServer server;
    QVERIFY(server.listen("subclass_name"));

    EchoClient client;
    client.connectToServer("subclass_name");
    QVERIFY(client.waitForConnected(5000));
    QVERIFY(server.waitForNewConnection(5000));
    QCOMPARE(server.connections, 1);
}

void tst_SubclassListen::recorderIsNotAServer()
{
    Recorder recorder;
    QVERIFY(recorder.listen("recorder_channel"));
    QCOMPARE(recorder.last, QStringLiteral("recorder_channel"));
}

QTEST_MAIN(tst_SubclassListen)
#include "tst_subclass_listen.moc"
