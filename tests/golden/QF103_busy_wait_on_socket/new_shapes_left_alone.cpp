// Near misses for the do/while, for (;;) and sleep-polling shapes: already
// bounded, blocking in waitFor...() each turn, polling an object this thread
// does not own, or a wait that a blocking call cannot express.
#include <QtCore/QCoreApplication>
#include <QtCore/QElapsedTimer>
#include <QtCore/QThread>
#include <QtNetwork/QLocalSocket>
#include <QtNetwork/QTcpSocket>

struct Worker
{
    QTcpSocket *socket = nullptr;
};

void boundedShapes(QLocalSocket &socket)
{
    QElapsedTimer timer;
    timer.start();
    do {
        QCoreApplication::processEvents();
    } while (socket.state() != QLocalSocket::ConnectedState && timer.elapsed() < 5000);
    int tries = 0;
    for (;;) {
        if (socket.canReadLine())
            break;
        if (++tries > 100)
            break;
        QCoreApplication::processEvents();
    }
    while (true) {
        if (socket.bytesAvailable() > 0)
            break;
        socket.waitForReadyRead(100);
    }
    for (int i = 0; i < 100; ++i) {
        if (socket.state() == QLocalSocket::ConnectedState)
            break;
        QCoreApplication::processEvents();
    }
    for (;;) {
        if (socket.state() == QLocalSocket::ConnectedState)
            break;
        else
            QCoreApplication::processEvents();
    }
}

void otherThreadsSocket(Worker *worker, QTcpSocket *given)
{
    // the worker's thread runs the socket: here sleeping is how to wait
    while (worker->socket->state() != QAbstractSocket::ConnectedState)
        QThread::msleep(10);
    while (given->state() != QAbstractSocket::ConnectedState)
        QThread::msleep(10);
    QTcpSocket *mine = given;
    while (!mine->canReadLine())
        QThread::msleep(10);
}

void movedAway(QThread *thread)
{
    QTcpSocket *socket = new QTcpSocket;
    socket->moveToThread(thread);
    while (socket->state() != QAbstractSocket::ConnectedState)
        QThread::msleep(10);
}

void leavesConnecting(QLocalSocket &socket)
{
    // waits until connecting is over, whatever the outcome: waitForConnected()
    // would turn a refused connection into a failure
    QLocalSocket own;
    own.connectToServer(socket.serverName());
    while (own.state() == QLocalSocket::ConnectingState)
        QThread::msleep(10);
    do {
    } while (own.state() == QLocalSocket::ConnectingState);
}
