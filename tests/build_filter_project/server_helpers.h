#pragma once
#include <QtTest>
#include <QLocalServer>

inline bool startServer(QLocalServer &server)
{
    return server.listen("build_filter_server");
}
