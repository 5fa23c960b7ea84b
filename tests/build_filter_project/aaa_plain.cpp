#include <QString>

QString plainGreeting()
{
    return QStringLiteral("hello");
}
