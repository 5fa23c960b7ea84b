// flush() on a socket the test's own factory made: when every return of
// the factory is a `new`, the socket is as fresh as one made in place, and
// flush() returns false by design. A factory that connects the socket
// before returning it gives no such guarantee.
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

class tst_FlushFactory : public QObject
{
    Q_OBJECT
private slots:
    void flushFromFactory();
    void flushFromConnectingFactory();

private:
    QTcpSocket *newSocket() { return new QTcpSocket; }
    QTcpSocket *connectedSocket()
    {
        QTcpSocket *socket = new QTcpSocket;
        socket->connectToHost(QHostAddress::LocalHost, 1);
        return socket;
    }
};

void tst_FlushFactory::flushFromFactory()
{
    QTcpSocket *socket = newSocket();
    socket->flush(); // nothing to flush into: false is the answer
    delete socket;
}

void tst_FlushFactory::flushFromConnectingFactory()
{
    QScopedPointer<QTcpSocket> socket(connectedSocket());
    socket->flush();
}

QTEST_MAIN(tst_FlushFactory)
#include "flush_factory_socket.moc"
