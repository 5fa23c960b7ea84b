// The parent parameter is not always the first one; macros hide the `new`.
#include <QtCore/QPropertyAnimation>
#include <QtCore/QTimeLine>
#include <QtCore/QTimer>
#include <QtNetwork/QLocalSocket>
#include <QtTest/QtTest>

#define NEW_CLIENT new QLocalSocket

class Echo : public QObject
{
public:
    explicit Echo(const QString &name = QString(), QObject *parent = nullptr) : QObject(parent), m_name(name) {}

private:
    QString m_name;
};

class Probe : public QObject
{
public:
    enum class Mode { Fast, Thorough };
    explicit Probe(Mode mode = Mode::Fast, QObject *parent = nullptr) : QObject(parent), m_mode(mode) {}

private:
    Mode m_mode;
};

class tst_Defaults : public QObject
{
    Q_OBJECT
private slots:
    void fillDefaults()
    {
        QTimeLine *line = new QTimeLine;
        Echo *echo = new Echo;
        Echo *named = new Echo(QStringLiteral("named"));
        QObject target;
        QPropertyAnimation *animation = new QPropertyAnimation(&target, "objectName");
        QCOMPARE(line->duration(), 1000);
        QVERIFY(echo != named);
        QCOMPARE(animation->targetObject(), &target);
    }

    void noFix()
    {
        Probe *probe = new Probe;  // its Mode default cannot be spelled at the call
        QLocalSocket *client = NEW_CLIENT;
        QTimer *braced = new QTimer{};
        QVERIFY(probe && client && braced);
    }

public:
    QTimer *peek() const
    {
        QTimer *timer = new QTimer;  // `this` is const here
        timer->setObjectName(QStringLiteral("peek"));
        return nullptr;
    }
};

#include "defaults_and_macros.moc"
