#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

// Character arrays and pointers cannot hold a name made at run time:
// reported, with no fix.
static const char arrayName[] = "array_name";

class tst_CharPointerName : public QObject
{
    Q_OBJECT

private slots:
    void pointerVariable();
    void arrayConstant();
    void reassignedPointer();
};

void tst_CharPointerName::pointerVariable()
{
    const char *name = "pointer_name";
    QLocalServer server;
    QVERIFY(server.listen(name));
    QLocalSocket socket;
    socket.connectToServer(name);
    QVERIFY(socket.waitForConnected(5000));
}

void tst_CharPointerName::arrayConstant()
{
    QLocalServer server;
    QVERIFY(server.listen(arrayName));
    QCOMPARE(server.serverName(), QString::fromLatin1(arrayName));
}

// The pointer is reassigned: not one fixed name, not reported.
void tst_CharPointerName::reassignedPointer()
{
    const char *name = "first_pointer_name";
    if (QCoreApplication::arguments().size() > 100)
        name = "second_pointer_name";
    QLocalServer server;
    QVERIFY(server.listen(name));
}

QTEST_MAIN(tst_CharPointerName)
#include "tst_char_pointer_name.moc"
