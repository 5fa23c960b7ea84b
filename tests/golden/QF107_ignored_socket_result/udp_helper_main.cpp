// A helper program (its own main(), no QtTest) that a loss-counting test
// drives: its datagrams may be lost by design, so their ignored results are
// not reported. Its TCP write is: the test waits for that reply.
#include <QtCore/QCoreApplication>
#include <QtNetwork/QTcpSocket>
#include <QtNetwork/QUdpSocket>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QUdpSocket echo;
    if (!echo.bind(QHostAddress(QHostAddress::LocalHost), 0))
        return 1;
    echo.writeDatagram("tick", QHostAddress::LocalHost, echo.localPort());
    QUdpSocket connected;
    connected.connectToHost(QHostAddress::LocalHost, echo.localPort());
    connected.write("tock");

    QTcpSocket report;
    report.connectToHost(QHostAddress::LocalHost, 1);
    report.write("done");
    return 0;
}
