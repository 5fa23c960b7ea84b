// Prüft die Übertragung über einen lokalen Socket.
#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

class tst_NonAsciiComment : public QObject
{
    Q_OBJECT

private slots:
    void transfer();
};

void tst_NonAsciiComment::transfer()
{
    QLocalServer server;
    // Größe – ü: the server must accept the client before it writes.
    QVERIFY(server.listen("foo"));
    QLocalSocket socket;
    socket.connectToServer("foo"); // « client » side
    QVERIFY(socket.waitForConnected(5000));
    QVERIFY(server.waitForNewConnection(5000));
}

QTEST_MAIN(tst_NonAsciiComment)
#include "tst_non_ascii_comment.moc"
