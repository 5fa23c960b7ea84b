// The file already has its own uniqueServerName() with another signature:
// the helper must take another name, or the fixed calls would not compile.
#include <QtCore/QUuid>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtTest/QtTest>

static QString uniqueServerName()
{
    static const QString name = QStringLiteral("echo-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    return name;
}

class tst_HelperNameTaken : public QObject
{
    Q_OBJECT
private slots:
    void ownHelper();
    void fixedName();
};

void tst_HelperNameTaken::ownHelper()
{
    QLocalServer server;
    QVERIFY(server.listen(uniqueServerName()));
}

void tst_HelperNameTaken::fixedName()
{
    QLocalServer server;
    QVERIFY(server.listen(QLatin1String("qtest")));
    QLocalSocket socket;
    socket.connectToServer(QLatin1String("qtest"));
    QVERIFY(socket.waitForConnected(1000));
}

QTEST_MAIN(tst_HelperNameTaken)
#include "tst_helper_name_taken.moc"
