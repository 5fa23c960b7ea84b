#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

static void addSuffix(QString &name)
{
    name += QLatin1String("-suffix");
}

// Every variable here changes after its declaration, or comes from a data
// row: the literal in its initializer is not the name every call sees.
class tst_VariableWritten : public QObject
{
    Q_OBJECT

private slots:
    void reassigned();
    void appended();
    void passedToNonConstReference();
    void fetched_data();
    void fetched();
};

void tst_VariableWritten::reassigned()
{
    QString name = "first_name";
    QLocalServer server;
    QVERIFY(server.listen(name));
    name = server.fullServerName();
    QLocalSocket socket;
    socket.connectToServer(name);
    QVERIFY(socket.waitForConnected(5000));
}

void tst_VariableWritten::appended()
{
    QString name("appended_name");
    name.append(QString::number(QCoreApplication::applicationPid()));
    QLocalServer server;
    QVERIFY(server.listen(name));
}

void tst_VariableWritten::passedToNonConstReference()
{
    QString name = QStringLiteral("referenced_name");
    addSuffix(name);
    QLocalServer server;
    QVERIFY(server.listen(name));
}

void tst_VariableWritten::fetched_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("plain") << QString::number(QCoreApplication::applicationPid());
}

void tst_VariableWritten::fetched()
{
    QFETCH(QString, name);
    QLocalServer server;
    QVERIFY(server.listen(name));
    QLocalServer::removeServer(name);
}

QTEST_MAIN(tst_VariableWritten)
#include "tst_variable_written.moc"
