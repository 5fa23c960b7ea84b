#include <windows.h>
#include <QLocalServer>

int main()
{
    QLocalServer server;
    return server.listen("windows_only_server") && GetCurrentProcessId() ? 0 : 1;
}
