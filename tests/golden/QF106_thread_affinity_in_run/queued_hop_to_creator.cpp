// A connection made in run() with `this` as the receiver and an explicit
// queued connection type means to run the slot in the thread that created
// the QThread object: that hop is the intent, and qtfix stays silent. The
// same connections with the default (automatic) type, or with a lambda
// and `this` as its context, are still reported.
#include <QtCore/QThread>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

class WriterThread : public QThread
{
    Q_OBJECT
public:
    explicit WriterThread(const QString &name) : m_name(name) {}

signals:
    void written();

protected:
    void run() override
    {
        QLocalSocket socket;
        connect(&socket, SIGNAL(bytesWritten(qint64)), this, SLOT(done()), Qt::QueuedConnection);
        connect(&socket, &QLocalSocket::bytesWritten, this, &WriterThread::done, Qt::QueuedConnection);
        connect(&socket, &QLocalSocket::disconnected, this, &WriterThread::done, Qt::BlockingQueuedConnection);
        connect(&socket, SIGNAL(disconnected()), SLOT(done()), Qt::QueuedConnection);
        connect(&socket, &QLocalSocket::errorOccurred, this, &WriterThread::done,
                Qt::ConnectionType(Qt::QueuedConnection | Qt::UniqueConnection));
        // Reported: no explicit type, or a lambda run in the creating thread.
        connect(&socket, &QLocalSocket::readyRead, this, &WriterThread::done);
        connect(&socket, SIGNAL(readyRead()), SLOT(done()));
        connect(&socket, &QLocalSocket::connected, this, [&socket] { socket.write("x"); }, Qt::QueuedConnection);
        socket.connectToServer(m_name);
        exec();
    }

public slots:
    void done()
    {
        emit written();
        exit();
    }

private:
    QString m_name;
};

#include "queued_hop_to_creator.moc"
