// Near misses: every object below already has an owner, or must not get one.
#include <QtCore/QList>
#include <QtCore/QPointer>
#include <QtCore/QScopedPointer>
#include <QtCore/QSharedPointer>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

class Session : public QObject
{
    Q_OBJECT
public:
    void finish() { deleteLater(); }  // deletes itself
};

class tst_Owned : public QObject
{
    Q_OBJECT
private slots:
    void deletedAtTheEnd();
    void deletedLater();
    void parentedLater();
    void alreadyParented();
    void explicitNullParent();
    void movedToThread();
    void inContainers();
    void smartPointers();
    void guardedAndObserved();
    void selfDeleting();
    void deleteLaterConnection();
    void noParentParameter();
    void notAQObject();
    void handedToHelper();

private:
    QLocalSocket *adopt(QLocalSocket *socket);
    static QLocalServer *makeServer();
    QList<QLocalSocket *> m_sockets;
};

void tst_Owned::deletedAtTheEnd()
{
    QLocalServer *server = new QLocalServer;
    QVERIFY(!server->isListening());
    delete server;  // QF102's business, not a leak
}

void tst_Owned::deletedLater()
{
    QLocalSocket *socket = new QLocalSocket;
    QCOMPARE(socket->state(), QLocalSocket::UnconnectedState);
    socket->deleteLater();
}

void tst_Owned::parentedLater()
{
    QLocalSocket *socket = new QLocalSocket;
    socket->setObjectName(QStringLiteral("client"));
    socket->setParent(this);
    QCOMPARE(socket->parent(), this);
}

void tst_Owned::alreadyParented()
{
    QTimer *timer = new QTimer(this);
    QLocalSocket *socket = new QLocalSocket(timer);
    QVERIFY(timer != nullptr && socket != nullptr);
}

void tst_Owned::explicitNullParent()
{
    // An explicit null parent is a decision, not an omission.
    QTimer *timer = new QTimer(nullptr);
    QTimer *legacy = new QTimer(0);
    QVERIFY(timer != legacy);
}

void tst_Owned::movedToThread()
{
    QThread worker;
    QTimer *timer = new QTimer;  // must stay parentless to move
    timer->moveToThread(&worker);
    QCOMPARE(timer->thread(), &worker);
}

void tst_Owned::inContainers()
{
    QLocalSocket *socket = new QLocalSocket;
    m_sockets.append(socket);
    m_sockets << new QLocalSocket;
    QList<QTimer *> timers;
    QTimer *timer = new QTimer;
    timers.append(timer);
    qDeleteAll(timers);
    qDeleteAll(m_sockets);
}

void tst_Owned::smartPointers()
{
    QLocalSocket *socket = new QLocalSocket;
    QScopedPointer<QLocalSocket> owner(socket);
    QSharedPointer<QTimer> timer(new QTimer);
    QScopedPointer<QLocalServer, QScopedPointerDeleteLater> server(new QLocalServer);
    QVERIFY(owner && timer && server);
}

void tst_Owned::guardedAndObserved()
{
    QTimer *timer = new QTimer;
    QSignalSpy destroyed(timer, &QObject::destroyed);
    QTimer::singleShot(0, timer, &QObject::deleteLater);
    QTRY_COMPARE(destroyed.count(), 1);
}

void tst_Owned::selfDeleting()
{
    Session *session = new Session;
    session->finish();
}

void tst_Owned::deleteLaterConnection()
{
    QLocalSocket *socket = new QLocalSocket;
    connect(socket, SIGNAL(disconnected()), socket, SLOT(deleteLater()));
    QTcpSocket *tcp = new QTcpSocket;
    connect(tcp, &QTcpSocket::disconnected, tcp, &QObject::deleteLater);
    socket->abort();
    tcp->abort();
}

void tst_Owned::noParentParameter()
{
    QTimer timer;
    QSignalSpy *spy = new QSignalSpy(&timer, &QTimer::timeout);  // QSignalSpy takes no parent
    QVERIFY(spy->isValid());
}

void tst_Owned::notAQObject()
{
    QByteArray *buffer = new QByteArray("leaked, but not a QObject");
    QVERIFY(!buffer->isEmpty());
}

void tst_Owned::handedToHelper()
{
    QLocalSocket *socket = adopt(new QLocalSocket);
    QLocalSocket *other = new QLocalSocket;
    adopt(other);
    QVERIFY(socket && makeServer());
}

QLocalSocket *tst_Owned::adopt(QLocalSocket *socket)
{
    socket->setParent(this);
    return socket;
}

QLocalServer *tst_Owned::makeServer()
{
    QLocalServer *server = new QLocalServer;  // static: there is no `this`
    return server;
}

// Not a QObject class: `this` cannot be a parent.
struct Fixture
{
    QLocalSocket *socket = nullptr;
    void setUp() { socket = new QLocalSocket; }
};

// Free function: no `this` at all.
QTimer *makeTimer()
{
    QTimer *timer = new QTimer;
    return timer;
}

#include "ownership_handled.moc"
