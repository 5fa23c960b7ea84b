#include <QtTest>
#include <QtNetwork>

class tst_StringWrappers : public QObject
{
    Q_OBJECT

private slots:
    void cleanup();
    void literalServer();
    void latin1Client();
    void serverNameThenConnect();
};

void tst_StringWrappers::cleanup()
{
    QLocalServer::removeServer(QStringLiteral("alpha"));
}

void tst_StringWrappers::literalServer()
{
    QLocalServer server;
    QVERIFY(server.listen(QStringLiteral("alpha")));
    QVERIFY(server.isListening());
}

void tst_StringWrappers::latin1Client()
{
    QLocalServer server;
    QVERIFY(server.listen( QLatin1String("beta") ));
    QLocalSocket socket;
    socket.connectToServer(QLatin1String("beta"));
    QVERIFY(socket.waitForConnected(5000));
}

void tst_StringWrappers::serverNameThenConnect()
{
    QLocalServer server;
    QVERIFY(server.listen(QString::fromLatin1("gamma")));
    QLocalSocket socket;
    socket.setServerName(QString::fromLatin1("gamma"));
    socket.connectToServer();
    QVERIFY(socket.waitForConnected(5000));
    QVERIFY(socket.fullServerName().endsWith(server.serverName()));
}

QTEST_MAIN(tst_StringWrappers)
#include "tst_string_wrappers.moc"
