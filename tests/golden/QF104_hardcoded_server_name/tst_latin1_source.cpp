// Prüfung des lokalen Servers (Latin-1 source: "ö" is one byte here, 0xF6).
// A Windows-1252 quote too: “quoted”.
#include <QtTest>
#include <QLocalServer>
#include <QLocalSocket>

class tst_Latin1Source : public QObject
{
    Q_OBJECT
private slots:
    void connects()
    {
        QLocalServer server;
        QVERIFY(server.listen("größe"));
        QLocalSocket socket;
        socket.connectToServer("größe");
        QVERIFY(socket.waitForConnected(1000));
        QCOMPARE(QString::fromLatin1("Grüße").size(), 5); // ü, ß: one byte each
    }
};

QTEST_MAIN(tst_Latin1Source)
#include "tst_latin1_source.moc"
