#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

// Sockets handed around as QIODevice: the shape of tst_qnetworkreply's
// SocketPair, whose `QIODevice *endPoints[2]` is only ever given sockets,
// and a local device pointer assigned a socket after its declaration. Next
// to them, devices that are not known to be sockets stay silent.
class SocketPair : public QObject
{
public:
    QIODevice *endPoints[2];

    SocketPair() { endPoints[0] = endPoints[1] = nullptr; }

    bool create(const QString &name)
    {
        if (!server.listen(name))
            return false;
        QLocalSocket *active = new QLocalSocket(this);
        active->connectToServer(name);
        if (!server.waitForNewConnection(5000) || !active->waitForConnected(5000))
            return false;
        endPoints[0] = active;
        endPoints[1] = server.nextPendingConnection();
        return endPoints[1] != nullptr;
    }

private:
    QLocalServer server;
};

// Given a socket in one place and a buffer in another: not known to be one.
class MixedPair : public QObject
{
public:
    QIODevice *device = nullptr;

    void useSocket(QLocalSocket *socket) { device = socket; }
    void useBuffer(QBuffer *buffer) { device = buffer; }
};

static QString pairName()
{
    return QStringLiteral("qtfix-io-devices-%1").arg(QCoreApplication::applicationPid());
}

class tst_SocketsBehindIoDevices : public QObject
{
    Q_OBJECT

private slots:
    void memberArrayOfSockets();
    void assignedLater();
    void notKnownToBeSockets();
};

void tst_SocketsBehindIoDevices::memberArrayOfSockets()
{
    SocketPair pair;
    QVERIFY(pair.create(pairName()));
    const QByteArray data("hello");
    pair.endPoints[0]->write(data);
    QTRY_COMPARE(pair.endPoints[1]->bytesAvailable(), qint64(data.size()));
    QCOMPARE(pair.endPoints[1]->readAll(), data);
}

void tst_SocketsBehindIoDevices::assignedLater()
{
    QLocalServer server;
    QVERIFY(server.listen(pairName() + QStringLiteral("-b")));
    QLocalSocket client;
    client.connectToServer(server.serverName());
    QVERIFY(client.waitForConnected(5000));
    QIODevice *device = nullptr;
    device = &client;
    device->write("abc", 3);
    QVERIFY(server.waitForNewConnection(5000));
}

void tst_SocketsBehindIoDevices::notKnownToBeSockets()
{
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    QLocalSocket socket;
    MixedPair mixed;
    mixed.useSocket(&socket);
    mixed.useBuffer(&buffer);
    mixed.device->write("abc", 3);

    QIODevice *reseated = &socket;
    QIODevice **where = &reseated;  // its address is taken: it may hold anything
    *where = &buffer;
    reseated->write("abc", 3);
    QCOMPARE(buffer.data(), QByteArray("abcabc"));
}

QTEST_MAIN(tst_SocketsBehindIoDevices)
#include "sockets_behind_io_devices.moc"
