// Prüfung der Größe – ein Kommentar mit Umlauten vor der Änderung.
#include <QtCore/QBuffer>

qint64 bufferSize()
{
    // «Puffer» anlegen
    QBuffer *buffer = new QBuffer;
    if (!buffer->open(QIODevice::ReadWrite))
        return -1;
    buffer->write("größe");
    const qint64 size = buffer->size();
    delete buffer;
    return size;
}
