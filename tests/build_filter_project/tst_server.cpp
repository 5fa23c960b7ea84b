#include "server_helpers.h"

int main()
{
    QLocalServer server;
    return startServer(server) ? 0 : 1;
}
