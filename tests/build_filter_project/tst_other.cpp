#include "other_config.h"
#include <QLocalSocket>

int main()
{
    QLocalSocket socket;
    const bool idle = socket.state() == QLocalSocket::UnconnectedState;
    return idle && !QStringLiteral(OTHER_SERVER_PREFIX).isEmpty() ? 0 : 1;
}
