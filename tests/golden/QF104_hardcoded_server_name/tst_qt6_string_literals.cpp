#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

using namespace Qt::StringLiterals;

class tst_Qt6StringLiterals : public QObject
{
    Q_OBJECT

private slots:
    void latin1Literal();
    void utf16Literal();
};

void tst_Qt6StringLiterals::latin1Literal()
{
    QLocalServer server;
    QVERIFY(server.listen("bar"_L1));
    QLocalSocket socket;
    socket.connectToServer("bar"_L1);
    QVERIFY(socket.waitForConnected(5000));
}

void tst_Qt6StringLiterals::utf16Literal()
{
    QLocalServer server;
    QVERIFY(server.listen(u"foo"_s));
    QVERIFY(server.isListening());
}

QTEST_MAIN(tst_Qt6StringLiterals)
#include "tst_qt6_string_literals.moc"
