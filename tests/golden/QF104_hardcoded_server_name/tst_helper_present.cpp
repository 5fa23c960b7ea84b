#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

// Added by hand (or by an earlier qtfix): one server name per test process,
// so parallel or killed runs of this test cannot collide.
inline QString uniqueServerName(const QString &prefix)
{
    static const QString suffix = QUuid::createUuid().toString(QUuid::WithoutBraces);
    return prefix + QLatin1Char('-') + suffix;
}

class tst_HelperPresent : public QObject
{
    Q_OBJECT

private slots:
    void alreadyFixed();
    void addedLater();
};

void tst_HelperPresent::alreadyFixed()
{
    QLocalServer server;
    QVERIFY(server.listen(uniqueServerName(QStringLiteral("foo"))));
}

void tst_HelperPresent::addedLater()
{
    QLocalServer server;
    QVERIFY(server.listen("bar"));
    QLocalSocket socket;
    socket.connectToServer("bar");
    QVERIFY(socket.waitForConnected(5000));
}

QTEST_MAIN(tst_HelperPresent)
#include "tst_helper_present.moc"
