#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

// The macro also builds a string that is not a server name: its body must
// stay a literal, so the names it gives are reported with no fix.
#define PEER_NAME "peer_name"

class tst_ConstantUsedElsewhere : public QObject
{
    Q_OBJECT

private slots:
    void macroAlsoConcatenated();
};

void tst_ConstantUsedElsewhere::macroAlsoConcatenated()
{
    QLocalServer server;
    QVERIFY(server.listen(PEER_NAME));
    const QByteArray greeting = "hello " PEER_NAME;
    QVERIFY(greeting.startsWith("hello "));
}

QTEST_MAIN(tst_ConstantUsedElsewhere)
#include "tst_constant_used_elsewhere.moc"
