// Outside test functions a QTest macro would only return from the helper.
#include <QtCore/QCoreApplication>
#include <QtCore/QThread>
#include <QtNetwork/QAbstractSocket>
#include <QtNetwork/QLocalSocket>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

bool connectHelper(QLocalSocket *socket, const QString &name)
{
    socket->connectToServer(name);
    while (socket->state() != QLocalSocket::ConnectedState)
        ;
    return true;
}

void acceptOne(QTcpServer &server)
{
    while (!server.hasPendingConnections()) {
    }
    delete server.nextPendingConnection();
}

void waitTcp(QTcpSocket *tcp)
{
    while (tcp->state() != QAbstractSocket::ConnectedState)
        tcp->connectToHost(QStringLiteral("127.0.0.1"), 1);
}

void pumpUntilConnected(QLocalSocket *socket)
{
    while (socket->state() != QLocalSocket::ConnectedState) {
        QCoreApplication::processEvents();
    }
}

void pumpUntilReadable(QTcpSocket &tcp)
{
    while (tcp.bytesAvailable() == 0)
        QCoreApplication::processEvents();
    tcp.readAll();
}
