// Helpers shared by the local-socket tests; they are not a test program.
#include <QtCore/QDir>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

bool listenOnSocketPath(QLocalServer &server)
{
    // A full path: the socket file goes exactly there, not into the temp dir.
    QLocalServer::removeServer("/tmp/qtfix-helpers.sock");
    return server.listen("/tmp/qtfix-helpers.sock");
}

bool connectToSocketPath(QLocalSocket &socket)
{
    socket.connectToServer("/tmp/qtfix-helpers.sock");
    return socket.waitForConnected(5000);
}
