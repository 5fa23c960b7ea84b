// Shared by the echo tests: a local server that writes back whatever a client
// sends, and a helper that checks one round trip.

#ifndef ECHOSERVER_H
#define ECHOSERVER_H

#include <QtCore/QCoreApplication>
#include <QtCore/QDebug>
#include <QtCore/QTimer>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtTest/QTest>

class EchoServer : public QLocalServer
{
public:
    explicit EchoServer(QObject *parent = nullptr) : QLocalServer(parent)
    {
        connect(this, &QLocalServer::newConnection, this, &EchoServer::acceptAll);
    }

    void startStatistics()
    {
        QTimer *statistics = new QTimer();
        connect(statistics, &QTimer::timeout, this, [this]() { qDebug() << "echoed" << echoed << "bytes"; });
        statistics->start(60000);
    }

    qint64 echoed = 0;

private:
    void acceptAll()
    {
        while (QLocalSocket *peer = nextPendingConnection()) {
            connect(peer, &QLocalSocket::readyRead, peer, [this, peer]() {
                echoed += peer->write(peer->readAll());
            });
            connect(peer, &QLocalSocket::disconnected, peer, &QObject::deleteLater);
        }
    }
};

// Sends `payload` and expects it back. QCOMPARE's early return only leaves
// this helper: the calling test function carries on after a failure.
inline void expectEcho(QLocalSocket *socket, const QByteArray &payload)
{
    QCOMPARE(socket->write(payload), qint64(payload.size()));
    while (socket->bytesAvailable() == 0)
        QCoreApplication::processEvents();
    QCOMPARE(socket->readAll(), payload);
}

#endif // ECHOSERVER_H
