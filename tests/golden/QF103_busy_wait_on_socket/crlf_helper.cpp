#include <QtNetwork/QLocalSocket>

void waitCrlf(QLocalSocket &socket)
{
    // Größe: ein nicht-ASCII Kommentar
    while (socket.bytesAvailable() == 0)
        ;
    socket.readAll();
}
