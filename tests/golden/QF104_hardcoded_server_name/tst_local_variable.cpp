#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

class tst_LocalVariable : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void sharedThroughVariable();
    void constructorForms();
    void secondServerRefused();
};

void tst_LocalVariable::init()
{
    QLocalServer::removeServer("variable_name");
}

// One variable feeds the server, the client and a comparison: the fix
// rewrites its initializer once, so all of them see the same unique name.
void tst_LocalVariable::sharedThroughVariable()
{
    const QString name = QStringLiteral("variable_name");
    QLocalServer server;
    QVERIFY2(server.listen(name), qPrintable(server.errorString()));
    QCOMPARE(server.serverName(), name);

    QLocalSocket socket;
    socket.connectToServer(name);
    QVERIFY(socket.waitForConnected(5000));
    QCOMPARE(socket.serverName(), name);
}

void tst_LocalVariable::constructorForms()
{
    QString assigned = "assigned_name";
    QString constructed("constructed_name");
    auto deduced = QLatin1String("deduced_name");  // a QLatin1String: no fix

    QLocalServer first;
    QVERIFY(first.listen(assigned));
    QLocalServer second;
    QVERIFY(second.listen(constructed));
    QLocalServer third;
    QVERIFY(third.listen(deduced));

    QLocalSocket socket;
    socket.connectToServer(constructed);
    QVERIFY(socket.waitForConnected(5000));
}

// The negative check goes through the same variable as the real use.
void tst_LocalVariable::secondServerRefused()
{
    QString name = "refused_name";
    QLocalServer first;
    QVERIFY(first.listen(name));
    QLocalServer second;
    QVERIFY(!second.listen(name));
    QCOMPARE(second.serverError(), QAbstractSocket::AddressInUseError);
}

QTEST_MAIN(tst_LocalVariable)
#include "tst_local_variable.moc"
