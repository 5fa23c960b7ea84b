#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

// Names that come from data rows through QFETCH: each row that holds a real
// name is reported at the row, with no fix (qtfix does not rewrite rows).
// Rows meant to fail (null, empty, a path, an over-long name) and rows
// built at run time are left alone.
class tst_DataRows : public QObject
{
    Q_OBJECT

private slots:
    void listen_data();
    void listen();
    void connectTwice_data();
    void connectTwice();
    void refused_data();
    void refused();
};

void tst_DataRows::listen_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("canListen");
    QTest::newRow("null") << QString() << false;
    QTest::newRow("empty") << QString("") << false;
    QTest::newRow("path") << QString("no/such/dir") << false;
    QTest::newRow("long") << QString("over_long_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx") << false;
    QTest::newRow("plain") << QString("rows_plain") << true;
    QTest::newRow("literal") << QStringLiteral("rows_literal") << true;
    for (int i = 0; i < 2; ++i)
        QTest::newRow(qPrintable(QString("computed %1").arg(i))) << QString("rows_%1").arg(i) << true;
}

void tst_DataRows::listen()
{
    QFETCH(QString, name);
    QFETCH(bool, canListen);
    QLocalServer server;
    QCOMPARE(server.listen(name), canListen);
}

// The data function hands over to another one: its rows are followed.
void tst_DataRows::connectTwice_data()
{
    listen_data();
}

void tst_DataRows::connectTwice()
{
    QFETCH(QString, name);
    QFETCH(bool, canListen);
    QLocalServer server;
    QCOMPARE(server.listen(name), canListen);
    QLocalSocket socket;
    socket.connectToServer(name);
    QCOMPARE(socket.waitForConnected(1000), canListen);
}

// Every call that reads the name expects it to fail: not reported.
void tst_DataRows::refused_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("taken") << QString("rows_refused");
}

void tst_DataRows::refused()
{
    QFETCH(QString, name);
    QLocalServer server;
    QVERIFY(server.listen(QString("rows_holder_%1").arg(QCoreApplication::applicationPid())));
    QVERIFY(!server.listen(name));  // a listening server refuses a second name
}

QTEST_MAIN(tst_DataRows)
#include "tst_data_rows.moc"
