#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

class tst_EmptyName : public QObject
{
    Q_OBJECT

private slots:
    void connectToEmptyName();
    void listenOnEmptyName();
};

void tst_EmptyName::connectToEmptyName()
{
    QLocalSocket socket;
    socket.connectToServer("");
    QVERIFY(!socket.waitForConnected(1000));
    QCOMPARE(socket.error(), QLocalSocket::ServerNotFoundError);
}

void tst_EmptyName::listenOnEmptyName()
{
    QLocalServer server;
    QCOMPARE(server.listen(QLatin1String("")), false);
    QCOMPARE(server.serverError(), QAbstractSocket::HostNotFoundError);
}

QTEST_MAIN(tst_EmptyName)
#include "tst_empty_name.moc"
