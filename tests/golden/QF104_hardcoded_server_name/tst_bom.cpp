#include <QtTest/QtTest>
#include <QtNetwork/QtNetwork>

class tst_Bom : public QObject
{
    Q_OBJECT

private slots:
    void listen();
};

void tst_Bom::listen()
{
    QLocalServer server;
    QVERIFY(server.listen(QStringLiteral("foo")));
    QVERIFY(server.isListening());
}

QTEST_MAIN(tst_Bom)
#include "tst_bom.moc"
