#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>

// A project's own wrapper: the negation is in the macro body.
#define QVERIFY_FAILS(expr) QVERIFY(!(expr))

class tst_NegatedListen : public QObject
{
    Q_OBJECT

private slots:
    void listenWhileListening();
};

void tst_NegatedListen::listenWhileListening()
{
    QLocalServer server;
    QVERIFY(server.listen(QLatin1String("negated-") + QString::number(QCoreApplication::applicationPid())));
    // A second listen() on a listening server must fail, whatever the name.
    QTest::ignoreMessage(QtWarningMsg, "QLocalServer::listen() called when already listening");
    QVERIFY(!server.listen("foo"));
    QTest::ignoreMessage(QtWarningMsg, "QLocalServer::listen() called when already listening");
    QVERIFY2(!server.listen(QStringLiteral("bar")), "listen() must fail while listening");
    QTest::ignoreMessage(QtWarningMsg, "QLocalServer::listen() called when already listening");
    QVERIFY_FAILS(server.listen("baz"));
    QVERIFY(server.isListening());
}

QTEST_MAIN(tst_NegatedListen)
#include "tst_negated_listen.moc"
