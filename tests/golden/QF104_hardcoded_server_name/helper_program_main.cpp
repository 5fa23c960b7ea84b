// A helper program a test starts with QProcess: it connects to the server
// its test listens on. Both sides must agree on one name, so a unique name
// per process would break them; qtfix reports the name but offers no fix.
#include <QtCore/QCoreApplication>
#include <QtNetwork/QLocalSocket>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QLocalSocket socket;
    socket.connectToServer("lackey_rendezvous");
    if (!socket.waitForConnected(5000))
        return 1;
    socket.write("ready\n");
    socket.waitForBytesWritten(5000);
    return 0;
}
