#include <QtTest/QtTest>
#include <QtCore/QBuffer>
#include <QtCore/QThread>

// A free function that hands over the buffer it made and opened.
static QBuffer *openedBuffer()
{
    QBuffer *buffer = new QBuffer;
    buffer->open(QIODevice::ReadWrite);
    return buffer;
}

class tst_Producer : public QObject
{
    Q_OBJECT
private slots:
    void freeFactory();
    void memberFactoryConnects();
    void constPointer();
    void movedToNoThread();
    void keptByTheFactory();
    void sharedByTheFactory();
    void movedToAThread();
private:
    QBuffer *newBuffer(bool intoBytes)
    {
        QBuffer *buffer;
        buffer = intoBytes ? new QBuffer(&m_bytes) : new QBuffer;
        connect(buffer, &QIODevice::bytesWritten, this, &tst_Producer::onWritten);
        return buffer;
    }
    QBuffer *keptBuffer()
    {
        QBuffer *buffer = new QBuffer;
        m_kept = buffer;
        return buffer;
    }
    QBuffer *sharedBuffer()
    {
        if (!m_shared)
            m_shared = new QBuffer;
        return m_shared;
    }
    void onWritten(qint64 count) { m_written += count; }

    QByteArray m_bytes;
    QBuffer *m_kept = nullptr;
    QBuffer *m_shared = nullptr;
    qint64 m_written = 0;
};

void tst_Producer::freeFactory()
{
    QBuffer *buffer = openedBuffer();
    QVERIFY(buffer->isOpen());
    QCOMPARE(buffer->write("abc"), qint64(3));
    delete buffer;
}

void tst_Producer::memberFactoryConnects()
{
    QBuffer *buffer = newBuffer(true);
    QVERIFY(buffer->open(QIODevice::WriteOnly));
    QCOMPARE(buffer->write("x"), qint64(1));
    delete buffer;
    QCOMPARE(m_bytes, QByteArray("x"));
}

void tst_Producer::constPointer()
{
    auto *const buffer = openedBuffer();
    QVERIFY(buffer->isWritable());
    delete buffer;
}

void tst_Producer::movedToNoThread()
{
    QBuffer *buffer = openedBuffer();
    buffer->moveToThread(nullptr);
    QVERIFY(buffer->isOpen());
    delete buffer;
}

void tst_Producer::keptByTheFactory()
{
    QBuffer *buffer = keptBuffer();
    QVERIFY(!buffer->isOpen());
    delete buffer;
    m_kept = nullptr;
}

void tst_Producer::sharedByTheFactory()
{
    QBuffer *buffer = sharedBuffer();
    QVERIFY(!buffer->isOpen());
    delete buffer;
    m_shared = nullptr;
}

void tst_Producer::movedToAThread()
{
    QThread thread;
    QBuffer *buffer = openedBuffer();
    buffer->moveToThread(&thread);
    QVERIFY(buffer->isOpen());
    delete buffer;
}

QTEST_MAIN(tst_Producer)
#include "factory_one_call_deep.moc"
