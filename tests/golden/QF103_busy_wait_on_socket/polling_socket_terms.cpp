// A socket condition the socket rules do not know (`bytesAvailable() < n`):
// when the body runs the event loop it is polling like any other state and
// becomes a QTRY check; when it only sleeps, it is left to the socket rules
// (which leave it alone: no blocking call says "n bytes").
#include <QtTest/QtTest>
#include <QtCore/QThread>
#include <QtNetwork/QLocalSocket>

class tst_SocketTerms : public QObject
{
    Q_OBJECT
private slots:
    void readsHeader();
    void sleepsOnHeader();
private:
    QLocalSocket *m_socket = nullptr;
};

void tst_SocketTerms::readsHeader()
{
    QLocalSocket socket;
    socket.connectToServer(QStringLiteral("tst_SocketTerms"));
    while (socket.bytesAvailable() < 4)
        QCoreApplication::processEvents();
    QCOMPARE(socket.read(4), QByteArray("HEAD"));
}

void tst_SocketTerms::sleepsOnHeader()
{
    while (m_socket->bytesAvailable() < 4)
        QThread::msleep(5);
}

QTEST_MAIN(tst_SocketTerms)
#include "polling_socket_terms.moc"
