// A manual delete that an early return skips leaks today; with no return
// between the `new` and the `delete` it leaks once one is added: the message says which.
#include <QtCore/QBuffer>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

class tst_NoEarlyReturn : public QObject
{
    Q_OBJECT
private slots:
    void checkBeforeDelete();
    void checkAfterDelete();
    void deleteIsTheTrigger();
};

void tst_NoEarlyReturn::checkBeforeDelete()
{
    QBuffer *buffer = new QBuffer;
    QVERIFY(buffer->open(QIODevice::WriteOnly));
    delete buffer;
}

void tst_NoEarlyReturn::checkAfterDelete()
{
    QBuffer *buffer = new QBuffer;
    const bool opened = buffer->open(QIODevice::WriteOnly);
    delete buffer;
    QVERIFY(opened);
}

void tst_NoEarlyReturn::deleteIsTheTrigger()
{
    QTemporaryDir *dir = new QTemporaryDir;
    const QString path = dir->path();
    delete dir;
    QVERIFY(!QFileInfo::exists(path));
}

QTEST_MAIN(tst_NoEarlyReturn)
#include "no_early_return.moc"
