// A TLS handshake that must fail: the test then reads the certificate
// errors it met. Ignoring waitForEncrypted()'s result is the point there.
// Next to it, a handshake whose errors are never looked at.
#include <QtNetwork/QSslSocket>
#include <QtTest/QtTest>

class tst_Handshake : public QObject
{
    Q_OBJECT
private slots:
    void mismatchIsReported();
    void handshakeMustSucceed();
};

void tst_Handshake::mismatchIsReported()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("no TLS backend");
    QSslSocket socket;
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), 1);
    if (!socket.waitForConnected(1000))
        QSKIP("nothing listens on the test port");
    socket.waitForEncrypted(1000);
    const QList<QSslError> errors = socket.sslHandshakeErrors();
    QVERIFY(!errors.isEmpty());
}

void tst_Handshake::handshakeMustSucceed()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("no TLS backend");
    QSslSocket socket;
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), 1);
    if (!socket.waitForConnected(1000))
        QSKIP("nothing listens on the test port");
    socket.waitForEncrypted(1000);
    socket.write("ping");
    QVERIFY(socket.waitForBytesWritten(1000));
}

QTEST_MAIN(tst_Handshake)
#include "handshake_errors_expected.moc"
