#include <QtTest/QtTest>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QTcpServer>

// Not a QLocalServer: a fake with the same method names.
class FakeLocalServer
{
public:
    bool listen(const QString &name) { m_name = name; return true; }
    void connectToServer(const QString &name) { m_name = name; }
    QString m_name;
};

class tst_OtherClasses : public QObject
{
    Q_OBJECT

private slots:
    void fakeServer();
    void tcpServer();
};

void tst_OtherClasses::fakeServer()
{
    FakeLocalServer fake;
    QVERIFY(fake.listen("foo"));
    fake.connectToServer("bar");
    QCOMPARE(fake.m_name, QStringLiteral("bar"));
}

void tst_OtherClasses::tcpServer()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    QVERIFY(server.serverPort() != 0);
}

QTEST_MAIN(tst_OtherClasses)
#include "tst_other_classes.moc"
