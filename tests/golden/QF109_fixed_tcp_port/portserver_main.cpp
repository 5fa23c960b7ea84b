// A helper program (its own main(), no QtTest) that a test starts: the test
// connects to it on a port both sides have compiled in.
#include <QtCore/QCoreApplication>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 49211))
        return 1;
    if (!server.waitForNewConnection(10000))
        return 2;
    QTcpSocket *peer = server.nextPendingConnection();
    peer->write("ready\n");
    peer->waitForBytesWritten(5000);
    QTcpSocket self;
    self.connectToHost(QHostAddress::LocalHost, 49211);
    return 0;
}
