#!/usr/bin/env python3
"""Write a synthetic legacy Qt test tree for benchmarks.

    python benchmarks/generate_tree.py N OUTDIR [--seed S] [--no-moc] [--check-compile K]

OUTDIR/tests/...      N QtTest files (tst_*.cpp) spread over subdirectories,
                      written from the templates below: QLocalServer/QLocalSocket
                      tests with new/delete pairs around QVERIFY/QCOMPARE,
                      hard-coded server names, busy-wait loops, QThread
                      subclasses with run(), QTest macros in helpers, ignored
                      write()/waitFor...() results, and clean files with none
                      of these.
OUTDIR/build/compile_commands.json
                      one entry per file, absolute paths, the flags a qmake/CMake
                      build of such a tree would use:
                      g++ -std=c++17 -fPIC $(pkg-config --cflags Qt6Network Qt6Test)
                      -I OUTDIR/build/moc -c FILE -o OBJ
OUTDIR/build/moc/     what moc makes of each file (`#include "tst_x.moc"` at the
                      end of every file, as in real Qt tests): the tree compiles
                      as it is, so clang-tidy and g++ accept every file.
OUTDIR/tree.json      how the tree was made (size, seed, generator version), so
                      bench.py can tell whether a kept tree is reusable.

File i depends only on (seed, i): the 100-file tree is the first 100 files of
the 1000-file tree, so two sizes measure the same mix of code.

All moc outputs share one folder, so every file has the same compiler flags
(the per-file folder is added by qtfix itself): one precompiled header serves
the whole tree, as it would for a build tree with one include path.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

# Bump when the templates change: a kept tree of another version is regenerated.
GENERATOR_VERSION = 1
QT_PKG_MODULES = ("Qt6Network", "Qt6Test")

SUBDIRS = (
    "auto/network/localsocket",
    "auto/network/localserver",
    "auto/network/localsocket/stress",
    "auto/network/ipc",
    "auto/network/ipc/handshake",
    "auto/corelib/thread",
    "auto/corelib/thread/workers",
    "auto/corelib/io",
    "auto/other/compat",
    "auto/other/regressions",
    "benchmarks/network/localsocket",
    "benchmarks/network/throughput",
    "manual/localsocket",
    "integration/broker",
    "integration/session",
)
STEMS = (
    "LocalSocket", "LocalServer", "Ipc", "Handshake", "Echo", "Relay", "Broker",
    "Session", "Channel", "Pipe", "Bridge", "Courier", "Mailbox", "Registry",
    "Heartbeat", "Gateway", "Dispatcher", "Transport", "Tunnel", "Beacon",
)
SERVER_PREFIXES = ("foo", "bar", "test", "qtest", "bench", "localserver", "ipc", "tst_socket", "echo", "qt-test-server")
PAYLOADS = ("ping", "hello", "data", "request", "0123456789", "abc", "quit", "status", "HELO", "payload")
SOCKET_VARS = ("socket", "client", "sock", "conn", "localSocket")
SERVER_VARS = ("server", "srv", "localServer", "listener")


@dataclass
class FileBuilder:
    """The parts of one test file, filled in by the blocks."""

    rng: random.Random
    index: int
    cls: str
    includes: set = field(default_factory=set)
    top: list = field(default_factory=list)  # classes and helpers before the test class
    slots: list = field(default_factory=list)  # (declaration lines, definition text)
    helper_names: set = field(default_factory=set)
    literal_names: list = field(default_factory=list)  # the hard-coded server names used so far
    unique_name_helper: bool = False
    clean: bool = False

    # -- names ---------------------------------------------------------------

    def timeout(self) -> int:
        return self.rng.choice((1000, 3000, 5000, 10000, 30000))

    def payload(self) -> tuple[str, int]:
        p = self.rng.choice(PAYLOADS)
        return f'"{p}"', len(p)

    def server_name(self) -> str:
        """A C++ expression naming the local server: a literal in legacy
        files (sometimes reused, as real files do), a unique name in clean ones."""
        if self.clean or self.rng.random() < 0.25:
            if not self.unique_name_helper:
                self.unique_name_helper = True
                prefix = self.rng.choice(SERVER_PREFIXES)
                self.includes.add("<QtCore/QUuid>")
                self.top.insert(0, (
                    "// One name per process: parallel runs of this test must not collide.\n"
                    "static QString uniqueServerName()\n"
                    "{\n"
                    f"    static const QString name = QStringLiteral(\"{prefix}-\")\n"
                    "        + QUuid::createUuid().toString(QUuid::WithoutBraces);\n"
                    "    return name;\n"
                    "}\n"
                ))
            return "uniqueServerName()"
        if self.literal_names and self.rng.random() < 0.5:
            name = self.rng.choice(self.literal_names)
        else:
            name = f"{self.rng.choice(SERVER_PREFIXES)}{self.rng.choice(('', '', str(self.index), '-' + str(self.rng.randint(1, 99))))}"
            self.literal_names.append(name)
        form = self.rng.random()
        if form < 0.7:
            return f'"{name}"'
        if form < 0.9:
            return f'QStringLiteral("{name}")'
        return f'QLatin1String("{name}")'

    def slot_name(self, base: str) -> str:
        name = base
        n = 2
        while any(name == s[0] for s in self.slots):
            name = f"{base}{n}"
            n += 1
        return name

    def add_slot(self, base: str, body: str, data_body: str | None = None) -> None:
        name = self.slot_name(base)
        if data_body is not None:
            self.slots.append((name + "_data", data_body))
        self.slots.append((name, body))


def _ind(lines: list[str]) -> str:
    return "".join(("    " + l if l else "") + "\n" for l in lines)


# -- legacy blocks -------------------------------------------------------------------


def block_new_delete(b: FileBuilder) -> None:
    """A server and a socket created with new, deleted at the end: every failing
    QVERIFY/QCOMPARE in between leaks them (QF102, with QF104 for literals)."""
    r = b.rng
    sv, cv = r.choice(SERVER_VARS), r.choice(SOCKET_VARS)
    name, t = b.server_name(), b.timeout()
    p, n = b.payload()
    b.includes |= {"<QtNetwork/QLocalServer>", "<QtNetwork/QLocalSocket>"}
    ctor = r.choice(("", "()"))
    lines = [
        f"QLocalServer *{sv} = new QLocalServer{ctor};",
        f"QVERIFY({sv}->listen({name}));",
        f"QLocalSocket *{cv} = new QLocalSocket{ctor};",
        f"{cv}->connectToServer({name});",
        f"QVERIFY({cv}->waitForConnected({t}));",
        f"QVERIFY({sv}->waitForNewConnection({t}));",
        f"QLocalSocket *peer = {sv}->nextPendingConnection();",
        "QVERIFY(peer != nullptr);",
    ]
    if r.random() < 0.7:
        lines += [
            f"QCOMPARE({cv}->write({p}), qint64({n}));",
            f"QVERIFY({cv}->waitForBytesWritten({t}));",
            f"QVERIFY(peer->waitForReadyRead({t}));",
            f"QCOMPARE(peer->readAll(), QByteArray({p}));",
        ]
    if r.random() < 0.3:
        lines += [f"{cv}->disconnectFromServer();"]
    lines += [f"delete {cv};", f"delete {sv};"]
    b.add_slot(r.choice(("connectAndSend", "roundTrip", "sendReceive", "basicIo", "exchange")), _ind(lines))


def block_new_delete_single(b: FileBuilder) -> None:
    """One object, new and delete around a few checks (QF102)."""
    r = b.rng
    name = b.server_name()
    b.includes.add("<QtNetwork/QLocalServer>")
    sv = r.choice(SERVER_VARS)
    lines = [
        f"QLocalServer *{sv} = new QLocalServer;",
        f"QVERIFY({sv}->listen({name}));",
        f"QVERIFY({sv}->isListening());",
        f"QCOMPARE({sv}->serverName(), QString({name}));",
    ]
    if r.random() < 0.5:
        lines += [f"{sv}->setMaxPendingConnections({r.randint(1, 64)});",
                  f"QCOMPARE({sv}->maxPendingConnections(), {sv}->maxPendingConnections());"]
    lines += [f"{sv}->close();", f"QVERIFY(!{sv}->isListening());", f"delete {sv};"]
    b.add_slot(r.choice(("listenAndClose", "serverName", "listening")), _ind(lines))


def block_busy_wait(b: FileBuilder) -> None:
    """Busy-wait loops on socket/server state (QF103), one of several shapes."""
    r = b.rng
    name, t = b.server_name(), b.timeout()
    b.includes |= {"<QtNetwork/QLocalServer>", "<QtNetwork/QLocalSocket>"}
    sv, cv = r.choice(SERVER_VARS), r.choice(SOCKET_VARS)
    lines = [f"QLocalServer {sv};", f"QVERIFY({sv}.listen({name}));"]
    shape = r.randrange(4)
    if shape == 0:  # the review's retry form
        lines += [f"QLocalSocket *{cv} = new QLocalSocket(this);",
                  f"while ({cv}->state() != QLocalSocket::ConnectedState)",
                  f"    {cv}->connectToServer({name});"]
        sock = f"{cv}->"
    elif shape == 1:
        b.includes.add("<QtCore/QCoreApplication>")
        lines += [f"QLocalSocket {cv};", f"{cv}.connectToServer({name});",
                  f"while ({cv}.state() != QLocalSocket::ConnectedState)",
                  "    QCoreApplication::processEvents();"]
        sock = f"{cv}."
    elif shape == 2:
        lines += [f"QLocalSocket {cv};", f"{cv}.connectToServer({name});",
                  f"while ({cv}.state() != QLocalSocket::ConnectedState) {{",
                  "    QTest::qWait(10);", "}"]
        sock = f"{cv}."
    else:
        lines += [f"QLocalSocket {cv};", f"{cv}.connectToServer({name});",
                  f"QVERIFY({cv}.waitForConnected({t}));"]
        sock = f"{cv}."
    if r.random() < 0.6:
        b.includes.add("<QtCore/QCoreApplication>")
        lines += [f"while (!{sv}.hasPendingConnections())", "    qApp->processEvents();"]
    else:
        lines += [f"QVERIFY({sv}.waitForNewConnection({t}));"]
    lines += [f"QLocalSocket *peer = {sv}.nextPendingConnection();", "QVERIFY(peer);"]
    if r.random() < 0.6:
        p, n = b.payload()
        lines += [f"peer->write({p});", f"while ({sock}bytesAvailable() == 0)",
                  "    QCoreApplication::processEvents();" if r.random() < 0.5 else "    QTest::qWait(5);",
                  f"QCOMPARE({sock}readAll(), QByteArray({p}));"]
        b.includes.add("<QtCore/QCoreApplication>")
    b.add_slot(r.choice(("waitForConnection", "connectLoop", "pollState", "busyConnect", "eventuallyConnects")), _ind(lines))


def block_thread_run(b: FileBuilder) -> None:
    """A QThread subclass whose run() serves one client and checks with QTest
    macros (QF105), optionally a member server used in run() (QF106) and a
    new/delete pair inside run() (QF102)."""
    r = b.rng
    stem = r.choice(("Server", "Echo", "Reply", "Accept", "Worker"))
    tname = f"{stem}Thread{len(b.top) + 1}"
    name, t = b.server_name(), b.timeout()
    p, n = b.payload()
    b.includes |= {"<QtCore/QThread>", "<QtCore/QSemaphore>", "<QtNetwork/QLocalServer>", "<QtNetwork/QLocalSocket>"}
    member_server = r.random() < 0.4
    body = []
    if member_server:
        body += ["m_server.listen(m_name);", "ready.release();",
                 f"if (!m_server.waitForNewConnection({t}))", "    return;",
                 "QLocalSocket *peer = m_server.nextPendingConnection();"]
    else:
        body += ["QLocalServer *server = new QLocalServer;",
                 "QVERIFY(server->listen(m_name));" if r.random() < 0.6 else "server->listen(m_name);",
                 "ready.release();",
                 f"QVERIFY(server->waitForNewConnection({t}));",
                 "QLocalSocket *peer = server->nextPendingConnection();"]
    body += [f"QVERIFY(peer->waitForReadyRead({t}));",
             "const QByteArray request = peer->readAll();",
             "QVERIFY(!request.isEmpty());",
             f"QCOMPARE(peer->write({p}), qint64({n}));",
             f"peer->waitForBytesWritten({t});"]
    if not member_server:
        body += ["delete server;"]
    members = "    QString m_name;\n" + ("    QLocalServer m_server;\n" if member_server else "")
    b.top.append(
        f"class {tname} : public QThread\n"
        "{\n"
        "public:\n"
        f"    explicit {tname}(const QString &name) : m_name(name) {{}}\n"
        "\n"
        "    QSemaphore ready;\n"
        "\n"
        "protected:\n"
        "    void run() override\n"
        "    {\n"
        + "".join("        " + l + "\n" for l in body)
        + "    }\n"
        "\n"
        "private:\n"
        + members
        + "};\n"
    )
    cv = r.choice(SOCKET_VARS)
    lines = [f"{tname} thread({name});", "thread.start();",
             f"QVERIFY(thread.ready.tryAcquire(1, {t}));",
             f"QLocalSocket {cv};", f"{cv}.connectToServer({name});",
             f"QVERIFY({cv}.waitForConnected({t}));",
             f"{cv}.write(\"hello\");",
             f"QVERIFY({cv}.waitForReadyRead({t}));",
             f"QCOMPARE({cv}.readAll(), QByteArray({p}));",
             f"QVERIFY(thread.wait({t}));"]
    b.add_slot(r.choice(("serverThread", "threadedServer", "replyFromThread", "acceptInThread")), _ind(lines))


def block_helper_compare(b: FileBuilder) -> None:
    """QTest macros in a free helper and in a lambda (QF105)."""
    r = b.rng
    verb = r.choice(("send", "push", "deliver", "transmit"))
    helper = f"{verb}AndCheck"
    t = b.timeout()
    b.includes |= {"<QtNetwork/QLocalServer>", "<QtNetwork/QLocalSocket>"}
    if helper not in b.helper_names:
        b.helper_names.add(helper)
        b.top.append(
            f"static void {helper}(QLocalSocket *socket, const QByteArray &data)\n"
            "{\n"
            "    QCOMPARE(socket->write(data), qint64(data.size()));\n"
            f"    QVERIFY(socket->waitForBytesWritten({t}));\n"
            "}\n"
        )
    name = b.server_name()
    p, n = b.payload()
    sv, cv = r.choice(SERVER_VARS), r.choice(SOCKET_VARS)
    lines = [f"QLocalServer {sv};", f"QVERIFY({sv}.listen({name}));",
             f"QLocalSocket {cv};", f"{cv}.connectToServer({name});",
             f"QVERIFY({cv}.waitForConnected({t}));",
             f"QVERIFY({sv}.waitForNewConnection({t}));",
             f"QLocalSocket *peer = {sv}.nextPendingConnection();",
             "int received = 0;"]
    if r.random() < 0.6:
        lines += ["QObject::connect(peer, &QLocalSocket::readyRead, [&]() {",
                  "    received += int(peer->readAll().size());",
                  "    QVERIFY(received > 0);",
                  "});"]
    lines += [f"{helper}(&{cv}, QByteArray({p}));",
              f"QVERIFY(peer->waitForReadyRead({t}));",
              "received += int(peer->readAll().size());",
              f"QVERIFY(received >= {n});"]
    b.add_slot(r.choice(("helperChecks", "sendThroughHelper", "checkedWrite")), _ind(lines))


def block_ignored_results(b: FileBuilder) -> None:
    """write()/flush()/waitFor...()/listen() whose results nobody looks at (QF107)."""
    r = b.rng
    name, t = b.server_name(), b.timeout()
    p, _ = b.payload()
    b.includes |= {"<QtNetwork/QLocalServer>", "<QtNetwork/QLocalSocket>"}
    sv, cv = r.choice(SERVER_VARS), r.choice(SOCKET_VARS)
    lines = [f"QLocalServer {sv};", f"{sv}.listen({name});",
             f"QLocalSocket {cv};", f"{cv}.connectToServer({name});",
             f"{cv}.waitForConnected({t});"]
    for _ in range(r.randint(1, 3)):
        lines += [f"{cv}.write({p});"]
    if r.random() < 0.5:
        lines += [f"{cv}.flush();"]
    lines += [f"{cv}.waitForBytesWritten({t});",
              f"QVERIFY({sv}.waitForNewConnection({t}));",
              f"QLocalSocket *peer = {sv}.nextPendingConnection();",
              f"peer->waitForReadyRead({t});",
              "QVERIFY(peer->bytesAvailable() > 0);"]
    b.add_slot(r.choice(("fireAndForget", "writeWithoutChecks", "unchecked")), _ind(lines))


def block_unparented_new(b: FileBuilder) -> None:
    """A socket created with new and no parent in a test slot, never deleted (QF101)."""
    r = b.rng
    name, t = b.server_name(), b.timeout()
    b.includes |= {"<QtNetwork/QLocalServer>", "<QtNetwork/QLocalSocket>"}
    cv = r.choice(SOCKET_VARS)
    lines = [f"QLocalSocket *{cv} = new QLocalSocket;",
             f"{cv}->connectToServer({name});",
             f"QVERIFY(!{cv}->waitForConnected({min(t, 1000)}));",
             f"QCOMPARE({cv}->state(), QLocalSocket::UnconnectedState);"]
    if r.random() < 0.5:
        lines += [f"QCOMPARE({cv}->error(), QLocalSocket::ServerNotFoundError);"]
    b.add_slot(r.choice(("noServer", "connectFails", "serverNotFound")), _ind(lines))


# -- clean blocks --------------------------------------------------------------------


def block_clean_scoped(b: FileBuilder) -> None:
    r = b.rng
    name, t = b.server_name(), b.timeout()
    p, n = b.payload()
    b.includes |= {"<QtNetwork/QLocalServer>", "<QtNetwork/QLocalSocket>", "<QtCore/QScopedPointer>"}
    lines = ["QScopedPointer<QLocalServer> server(new QLocalServer);",
             f"QVERIFY2(server->listen({name}), qPrintable(server->errorString()));",
             "QLocalSocket socket;",
             f"socket.connectToServer({name});",
             f"QVERIFY2(socket.waitForConnected({t}), qPrintable(socket.errorString()));",
             f"QVERIFY(server->waitForNewConnection({t}));",
             "QScopedPointer<QLocalSocket> peer(server->nextPendingConnection());",
             "QVERIFY(!peer.isNull());",
             f"QCOMPARE(socket.write({p}), qint64({n}));",
             f"QVERIFY(socket.waitForBytesWritten({t}));",
             f"QVERIFY(peer->waitForReadyRead({t}));",
             f"QCOMPARE(peer->readAll(), QByteArray({p}));"]
    b.add_slot(r.choice(("scopedRoundTrip", "ownedServer", "echoOnce")), _ind(lines))


def block_clean_spy(b: FileBuilder) -> None:
    r = b.rng
    name, t = b.server_name(), b.timeout()
    b.includes |= {"<QtNetwork/QLocalServer>", "<QtNetwork/QLocalSocket>", "<QtTest/QSignalSpy>"}
    lines = ["QLocalServer server;",
             f"QVERIFY2(server.listen({name}), qPrintable(server.errorString()));",
             "QSignalSpy newConnection(&server, &QLocalServer::newConnection);",
             "QLocalSocket socket;",
             f"socket.connectToServer({name});",
             f"QVERIFY(socket.waitForConnected({t}));",
             f"QTRY_VERIFY_WITH_TIMEOUT(newConnection.count() > 0, {t});",
             "QLocalSocket *peer = server.nextPendingConnection();",
             "QVERIFY(peer);",
             "peer->setParent(&server);"]
    b.add_slot(r.choice(("signalsArrive", "spyOnConnection", "newConnectionSignal")), _ind(lines))


def block_clean_data_driven(b: FileBuilder) -> None:
    r = b.rng
    rows = r.randint(2, 6)
    words = r.sample(PAYLOADS, rows)
    data = ["QTest::addColumn<QString>(\"input\");", "QTest::addColumn<QString>(\"expected\");"]
    data += [f"QTest::newRow(\"{w}\") << QStringLiteral(\"{w}\") << QStringLiteral(\"{w.upper()}\");" for w in words]
    body = ["QFETCH(QString, input);", "QFETCH(QString, expected);",
            "QCOMPARE(input.toUpper(), expected);", "QCOMPARE(expected.toLower(), input.toLower());"]
    b.add_slot(r.choice(("upperCase", "caseMapping", "normalize")), _ind(body), _ind(data))


def block_clean_bytes(b: FileBuilder) -> None:
    r = b.rng
    p, n = b.payload()
    lines = [f"const QByteArray raw({p});",
             "const QByteArray encoded = raw.toBase64();",
             "QCOMPARE(QByteArray::fromBase64(encoded), raw);",
             f"QCOMPARE(raw.size(), qsizetype({n}));",
             "QVERIFY(!encoded.isEmpty());"]
    if r.random() < 0.5:
        lines += ["QByteArray framed;", "framed.append(char(raw.size()));", "framed.append(raw);",
                  f"QCOMPARE(framed.size(), qsizetype({n + 1}));"]
    b.add_slot(r.choice(("base64RoundTrip", "framing", "encoding")), _ind(lines))


def block_clean_parented(b: FileBuilder) -> None:
    r = b.rng
    name, t = b.server_name(), b.timeout()
    b.includes |= {"<QtNetwork/QLocalServer>", "<QtNetwork/QLocalSocket>"}
    lines = ["QLocalServer *server = new QLocalServer(this);",
             f"QVERIFY2(server->listen({name}), qPrintable(server->errorString()));",
             "QLocalSocket *socket = new QLocalSocket(server);",
             f"socket->connectToServer({name});",
             f"QVERIFY(socket->waitForConnected({t}));",
             f"QVERIFY(server->waitForNewConnection({t}));",
             "server->deleteLater();"]
    b.add_slot(r.choice(("parentedObjects", "ownedByTest", "childSockets")), _ind(lines))


LEGACY_BLOCKS = (
    (block_new_delete, 3), (block_new_delete_single, 2), (block_busy_wait, 3), (block_thread_run, 2),
    (block_helper_compare, 2), (block_ignored_results, 2), (block_unparented_new, 1),
    (block_clean_scoped, 1), (block_clean_data_driven, 1), (block_clean_bytes, 1),
)
CLEAN_BLOCKS = (
    (block_clean_scoped, 3), (block_clean_spy, 2), (block_clean_data_driven, 2),
    (block_clean_bytes, 2), (block_clean_parented, 2),
)
CLEAN_SHARE = 0.25


def _pick(r: random.Random, table) -> object:
    fns, weights = zip(*table)
    return r.choices(fns, weights)[0]


def _include_line(header: str, r: random.Random) -> str:
    # Legacy trees mix both spellings; pkg-config puts each module folder on the path.
    if r.random() < 0.3:
        return f"#include <{header[1:-1].split('/')[1]}>"
    return f"#include {header}"


def render_file(seed: int, index: int) -> tuple[str, str, str]:
    """(relative folder, file name, C++ text) of file `index`."""
    r = random.Random(f"{seed}:{index}")
    stem = r.choice(STEMS)
    cls = f"tst_{stem}{index}"
    base = f"tst_{stem.lower()}_{index:04d}"
    folder = r.choice(SUBDIRS)
    b = FileBuilder(r, index, cls, clean=r.random() < CLEAN_SHARE)
    table = CLEAN_BLOCKS if b.clean else LEGACY_BLOCKS
    for _ in range(r.randint(2, 6)):
        _pick(r, table)(b)
    has_init = r.random() < 0.3
    main_macro = r.choice(("QTEST_MAIN", "QTEST_GUILESS_MAIN", "QTEST_MAIN"))
    test_include = r.choice(("<QtTest/QtTest>", "<QtTest/QtTest>", "<QTest>"))
    includes = sorted(b.includes)
    out = []
    out.append(f"// {'Clean' if b.clean else 'Legacy'} synthetic test {index} (generated by qtfix benchmarks/generate_tree.py).\n")
    if r.random() < 0.4:
        out.append("// Copyright (C) The Qt Company Ltd.\n// SPDX-License-Identifier: LicenseRef-Qt-Commercial OR GPL-3.0-only\n")
    out.append("\n")
    out += [_include_line(h, r) + "\n" for h in includes]
    out.append(f"#include {test_include}\n\n")
    for part in b.top:
        out.append(part + "\n")
    decls = ["    void initTestCase();\n"] if has_init else []
    decls += [f"    void {name}();\n" for name, _ in b.slots]
    inline = r.random() < 0.3
    out.append(f"class {cls} : public QObject\n{{\n    Q_OBJECT\n\nprivate slots:\n")
    if inline:
        if has_init:
            out.append("    void initTestCase()\n    {\n        QVERIFY(QCoreApplication::instance() != nullptr);\n    }\n\n")
        for name, body in b.slots:
            indented = "".join(("    " + l if l.strip() else l) for l in body.splitlines(keepends=True))
            out.append(f"    void {name}()\n    {{\n{indented}    }}\n\n")
        out[-1] = out[-1].rstrip("\n") + "\n"
        out.append("};\n\n")
    else:
        out += decls
        out.append("};\n\n")
        if has_init:
            out.append(f"void {cls}::initTestCase()\n{{\n    QVERIFY(QCoreApplication::instance() != nullptr);\n}}\n\n")
        for name, body in b.slots:
            out.append(f"void {cls}::{name}()\n{{\n{body}}}\n\n")
    out.append(f"{main_macro}({cls})\n#include \"{base}.moc\"\n")
    return folder, base + ".cpp", "".join(out)


# -- the tree --------------------------------------------------------------------------


def qt_cflags() -> list[str]:
    if shutil.which("pkg-config") is None:
        sys.exit("generate_tree: pkg-config is missing (apt-get install pkg-config qt6-base-dev)")
    res = subprocess.run(["pkg-config", "--cflags", *QT_PKG_MODULES], capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"generate_tree: pkg-config cannot find {' '.join(QT_PKG_MODULES)}: {res.stderr.strip()}")
    return shlex.split(res.stdout)


def find_moc() -> str | None:
    """Qt 6's moc (Debian keeps it in libexec; /usr/bin/moc may be Qt 5's)."""
    res = subprocess.run(["pkg-config", "--variable=libexecdir", "Qt6Core"], capture_output=True, text=True)
    candidates = [os.path.join(res.stdout.strip(), "moc")] if res.returncode == 0 and res.stdout.strip() else []
    candidates += ["/usr/lib/qt6/libexec/moc", "/usr/lib/x86_64-linux-gnu/qt6/libexec/moc"]
    for c in candidates:
        if os.access(c, os.X_OK):
            return c
    return None


def compile_arguments(source: Path, obj: Path, moc_dir: Path, cflags: list[str]) -> list[str]:
    return ["g++", "-std=c++17", "-fPIC", *cflags, "-I", str(moc_dir), "-c", str(source), "-o", str(obj)]


def manifest_for(n: int, seed: int, moc: bool) -> dict:
    return {"generator_version": GENERATOR_VERSION, "files": n, "seed": seed, "moc": moc}


def generate(n: int, outdir: Path, seed: int = 1, moc: bool = True, jobs: int | None = None) -> dict:
    outdir = outdir.resolve()
    tests, build = outdir / "tests", outdir / "build"
    for d in (tests, build):
        if d.exists():
            shutil.rmtree(d)
    moc_dir = build / "moc"
    moc_dir.mkdir(parents=True)
    cflags = qt_cflags()
    entries, sources = [], []
    for i in range(n):
        folder, name, text = render_file(seed, i)
        path = tests / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        sources.append(path)
        obj = build / "obj" / folder / (name[:-4] + ".o")
        entries.append({"directory": str(build), "file": str(path),
                        "arguments": compile_arguments(path, obj, moc_dir, cflags), "output": str(obj)})
    (build / "compile_commands.json").write_text(json.dumps(entries, indent=1) + "\n", encoding="utf-8")
    if moc:
        moc_exe = find_moc()
        if moc_exe is None:
            sys.exit("generate_tree: Qt 6 moc not found (apt-get install qt6-base-dev-tools); use --no-moc")
        defines = [a for a in cflags if a.startswith(("-D", "-I"))]

        def run_moc(src: Path) -> None:
            target = moc_dir / (src.stem + ".moc")
            res = subprocess.run([moc_exe, *defines, str(src), "-o", str(target)], capture_output=True, text=True)
            if res.returncode != 0:
                raise RuntimeError(f"moc failed on {src}: {res.stderr.strip()}")

        with ThreadPoolExecutor(jobs or os.cpu_count() or 1) as pool:
            list(pool.map(run_moc, sources))
    manifest = manifest_for(n, seed, moc)
    (outdir / "tree.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def check_compile(outdir: Path, sample: int, seed: int = 1, jobs: int | None = None) -> list[tuple[str, str]]:
    """g++ -fsyntax-only on `sample` files of the tree (0: all); (file, error) of those that fail."""
    entries = json.loads((outdir / "build" / "compile_commands.json").read_text(encoding="utf-8"))
    if 0 < sample < len(entries):
        entries = random.Random(seed).sample(entries, sample)

    def one(e: dict) -> tuple[str, str] | None:
        args = [a for a in e["arguments"]]
        i = args.index("-o")
        args = args[:i] + args[i + 2:]
        res = subprocess.run(args + ["-fsyntax-only"], capture_output=True, text=True, cwd=e["directory"])
        return None if res.returncode == 0 else (e["file"], res.stderr.strip().splitlines()[0] if res.stderr.strip() else "failed")

    with ThreadPoolExecutor(jobs or os.cpu_count() or 1) as pool:
        return [f for f in pool.map(one, entries) if f is not None]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", type=int, help="how many test files")
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-moc", action="store_true", help="do not run moc (qtfix copes, g++ and clang-tidy do not)")
    ap.add_argument("--check-compile", type=int, metavar="K", default=None,
                    help="afterwards, g++ -fsyntax-only on K sampled files (0: all)")
    ap.add_argument("--jobs", type=int, default=None)
    a = ap.parse_args(argv)
    if a.files < 1:
        ap.error("N must be at least 1")
    generate(a.files, a.outdir, a.seed, moc=not a.no_moc, jobs=a.jobs)
    print(f"wrote {a.files} files under {a.outdir.resolve() / 'tests'}, "
          f"compile_commands.json in {a.outdir.resolve() / 'build'}")
    if a.check_compile is not None:
        failed = check_compile(a.outdir.resolve(), a.check_compile, a.seed, a.jobs)
        if failed:
            for f, why in failed:
                print(f"does not compile: {f}: {why}", file=sys.stderr)
            return 1
        print("sampled files compile with g++ -fsyntax-only")
    return 0


if __name__ == "__main__":
    sys.exit(main())
