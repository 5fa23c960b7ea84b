#include <QtTest/QtTest>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

// One server for the whole run, opened in initTestCase(); the test
// functions connect to it.
class tst_MemberServer : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void connectOnce();
    void connectTwice();

private:
    void connectAndCheck();
    QTcpServer *m_server = nullptr;
};

void tst_MemberServer::initTestCase()
{
    m_server = new QTcpServer(this);
    QVERIFY(m_server->listen(QHostAddress::LocalHost, 49204));
}

void tst_MemberServer::cleanupTestCase()
{
    m_server->close();
}

void tst_MemberServer::connectAndCheck()
{
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, 49204);
    QVERIFY(client.waitForConnected(5000));
    QVERIFY(m_server->waitForNewConnection(5000));
    delete m_server->nextPendingConnection();
}

void tst_MemberServer::connectOnce()
{
    connectAndCheck();
}

void tst_MemberServer::connectTwice()
{
    connectAndCheck();
    QTcpSocket second;
    second.connectToHost(QHostAddress::LocalHost, 49204);
    QVERIFY(second.waitForConnected(5000));
}

QTEST_MAIN(tst_MemberServer)
#include "tst_member_server.moc"
