from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from qtfix.codemod import Codemod, Match, Node, NoFix, Options
from qtfix.cpp import (call_arguments_text, code_without_comments, enclosing_function, enclosing_named_function,
                       enclosing_statement, expected_to_fail, function_label, initializer, line_is_only, may_be_written,
                       member_call, on_this, pointee_class, skip_space, strip_casts, strip_implicit,
                       variable_references)
from qtfix.edits import Edit, Fix, Safety
from qtfix.parse import Cursor, CursorKind, Unit, class_of_method, entity, identity, is_derived_from
from qtfix.qt import BOUND_PORT, FIRST_UNPRIVILEGED_PORT, any_port, is_helper_program, port_call, starts_process

# A port spelled as one integer literal (decimal or hex, with a suffix); 0 is
# "any free port" and is what the fix writes, so it never matches.
_PORT = re.compile(r"^(?P<n>[1-9][0-9]*|0[xX][0-9a-fA-F]+)[uUlL]*$")
_IDENTIFIER = re.compile(r"^(?:::)?[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*$")
# An object a client can name again: `server`, `m_server`, `d->server`, `this->server`.
_OBJECT = re.compile(r"^[A-Za-z_]\w*(?:\s*(?:\.|->)\s*[A-Za-z_]\w*)*$")


@dataclass(frozen=True)
class PortUse:
    """One call given a fixed port: a server taking it, or a client reaching it."""

    call: Cursor
    parents: tuple[Cursor, ...]
    binds: bool  # listen/bind; else connectToHost/writeDatagram
    negated: bool  # `QVERIFY(!second.listen(..., port))`: expected to fail
    key: tuple  # ("value", 49199), or ("macro", NAME) for a macro of another file
    shown: str  # how messages name the port
    site: tuple[int, int]  # the argument's text, which a fix rewrites
    literal: tuple[int, int] | None  # where the number is written (argument, initializer, macro body)
    report_at: int  # the statement holding the literal
    holder: Cursor | None  # the variable holding the port, if any
    macro: str  # the macro of this file holding the port, if any
    any_port: str = "0"  # the text that asks for any free port in place of the argument
    reason: str = ""  # why this use alone can have no fix

    @property
    def function(self) -> Cursor | None:
        return enclosing_named_function(self.parents)

    @property
    def function_key(self) -> tuple | None:
        f = self.function
        return entity(f) if f is not None else None

    @property
    def class_key(self) -> tuple | None:
        f = self.function
        cls = class_of_method(f.canonical) if f is not None else None
        return entity(cls) if cls is not None else None


@dataclass(frozen=True)
class Server:
    """How the clients of a binding call name its object and ask its port."""

    text: str  # `server.` / `m_server->`, or "" when it cannot be named
    scope: str  # "local", "member" (of `this`) or "other"
    declaration: Cursor | None  # the local variable, for "local"
    getter: str  # serverPort / localPort
    protocol: str  # TCP / UDP


@dataclass(frozen=True)
class Group:
    """A server, and the uses of its port that a fix points at it."""

    owner: PortUse
    server: Server
    users: tuple[PortUse, ...]
    reason: str


@dataclass(frozen=True)
class FixedPort(Match):
    groups: tuple[Group, ...]  # those reported at `at` (one variable shared by functions)


class FixedTcpPort(Codemod):
    """
    ## What it does
    Finds a TCP server, or a UDP socket, bound to a fixed port
    (`server.listen(QHostAddress::LocalHost, 49199)`, `socket.bind(45454)`,
    also through a subclass of QTcpServer/QAbstractSocket), together with the
    clients of the file that reach the same port (`connectToHost(...,
    49199)`, `connectToHostEncrypted`, `writeDatagram(..., 45454)`). The port
    is followed, one step, through a variable whose initializer is the
    literal and that is never written after it (a local, or a constant of the
    file), and through an object-like `#define PORT 49199`. Port 0, ports
    computed at run time and function parameters are left alone; so is a
    negated listen alone (`QVERIFY(!server.listen(..., 8080))` expects the
    failure), and ports below 1024 (privileged on Unix: a test using one
    checks the refusal).

    ## Why is this bad?
    A port is a machine-wide resource. Two runs of the test at once (ctest
    -j, two build trees, CI jobs on one host) fight over it: the second
    `listen()` fails with AddressInUseError, or worse, a client of one run
    connects to the server of the other. A port that some other program
    happens to use breaks the test for good.

    ## Example
    ```cpp
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 49199));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, 49199);
    ```

    ## Use instead
    ```cpp
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    ```
    Port 0 asks the system for a free port; `serverPort()` (`localPort()`
    for a bound socket) says which one it gave. `bind(45454)` becomes
    `bind()`, and `bind(QHostAddress::LocalHost, 45454)` becomes
    `bind(QHostAddress::LocalHost, 0, QAbstractSocket::DefaultForPlatform)`
    (the default mode, named because a bare 0 there is ambiguous in Qt 5). Every client of that server
    in the function is rewritten, and, for a server held by a member of the
    test class, the clients in the class's other member functions too. A
    second `listen()` on the same port in the function (a check that the port
    is taken) is pointed at the first server's port, so it still checks that.
    A local variable that held the port and has no other use is removed.

    ## Fix safety
    Safe: within the process every user of the port gets the port the
    server really has. Reported with no fix, with the reason and what to do:
    when the test starts a helper process (QProcess in a function that holds
    the server or a client: the helper must be told the port on its command
    line or in its environment), in a helper program itself (its own `main()`
    and no QtTest) and in a file whose port number also appears in such a
    helper program of the analysed tree, when nothing in the file connects to the port (whoever
    does is outside the file), when a client cannot reach the server object
    (another function with a local server, another class, a lambda, a use
    before the server listens), when the number or the variable is also used
    elsewhere (a URL, a command line, a comparison), and when the port comes
    from a macro of another file.
    """

    code = "QF109"
    name = "fixed-tcp-port"
    summary = "fixed TCP/UDP port in listen()/bind() collides between parallel test runs"
    safety = Safety.SAFE

    kinds = frozenset({CursorKind.CALL_EXPR})

    def match(self, unit: Unit, nodes: Sequence[Node], options: Options) -> Iterator[FixedPort]:
        uses = [use for node in nodes if (use := self._use(unit, node.cursor, node.parents)) is not None]
        by_key = defaultdict(list)
        for use in uses:
            by_key[use.key].append(use)
        at: dict[int, list[Group]] = defaultdict(list)
        for group in by_key.values():
            for found in self._groups(unit, group, options):
                at[found.owner.report_at].append(found)
        for offset, groups in sorted(at.items()):
            first = groups[0]
            message = (f"fixed {first.server.protocol} port {first.owner.shown}: parallel runs of this test "
                       "collide on it")
            yield FixedPort(offset, message, tuple(groups))

    def fix(self, unit: Unit, match: FixedPort, options: Options) -> Fix | NoFix:
        reason = next((g.reason for g in match.groups if g.reason), "")
        if reason:
            return NoFix(reason)
        edits = []
        for group in match.groups:
            edits.append(Edit.replacement(unit.path, *group.owner.site, group.owner.any_port))
            port = f"{group.server.text}{group.server.getter}()"
            edits += [Edit.replacement(unit.path, *u.site, port) for u in group.users]
            edits += self._drop_local(unit, group)
        first = match.groups[0]
        title = (f"listen on port 0 and use {first.server.text}{first.server.getter}() for "
                 f"{sum(len(g.users) for g in match.groups)} use(s) of port {first.owner.shown}")
        return self.fixed(edits, title)

    # -- the uses ---------------------------------------------------------------

    def _use(self, unit: Unit, call: Cursor, parents: tuple[Cursor, ...]) -> PortUse | None:
        found = port_call(call)
        callee = next(call.get_children(), None)
        span = unit.file_range(callee) if found is not None and callee is not None else None
        if span is None:
            return None  # not a port call, or one spelled in a macro body
        known, index = found
        args = call_arguments_text(unit.source, skip_space(unit.source, span[1]))
        if not args or index >= len(args):
            return None  # the port is defaulted: 0
        start, end = args[index]
        text = unit.text(start, end)
        lead = len(text) - len(text.lstrip())
        site = (start + lead, start + lead + len(text.strip()))
        statement = unit.use_offset(enclosing_statement(call, parents))
        source = self._port_source(unit, call, index, text.strip(), site, statement)
        if source is None or source["key"][0] == "value" and source["key"][1] < FIRST_UNPRIVILEGED_PORT:
            return None  # computed, or a privileged port (the test checks the refusal)
        return PortUse(call, parents, known.binds, expected_to_fail(unit, parents), site=site,
                       any_port=any_port(call, index, len(args)), **source)

    def _port_source(self, unit: Unit, call: Cursor, index: int, text: str, site, statement: int) -> dict | None:
        """Where the port's number comes from: the argument itself, the
        initializer of a variable never written, or a macro's body."""
        plain = dict(report_at=statement, holder=None, macro="")
        m = _PORT.match(text)
        if m is not None:
            value = int(m.group("n"), 0)
            return dict(key=("value", value), shown=str(value), literal=site, **plain)
        if not _IDENTIFIER.match(text):
            return None  # computed
        arguments = list(call.get_arguments())
        argument = strip_implicit(arguments[index]) if index < len(arguments) else None
        if argument is not None and argument.kind == CursorKind.DECL_REF_EXPR:
            return self._variable_source(unit, argument.referenced)
        name = text.rsplit("::", 1)[-1]
        if argument is None or not any(u.name == name and site[0] <= u.start < site[1] for u in unit.macro_uses):
            return None
        return self._macro_source(unit, name, argument, plain)

    def _variable_source(self, unit: Unit, var: Cursor | None) -> dict | None:
        decl = (var.get_definition() or var) if var is not None else None
        if decl is None or decl.kind != CursorKind.VAR_DECL or unit.file_range(decl) is None:
            return None  # a parameter, a member, a variable of another file
        init = initializer(decl)
        literal = unit.file_range(strip_implicit(init)) if init is not None else None
        m = _PORT.match(unit.text(*literal)) if literal is not None else None
        if m is None or strip_implicit(init).kind != CursorKind.INTEGER_LITERAL:
            return None
        constant = decl.type.get_canonical().is_const_qualified()
        local = decl.semantic_parent is not None and decl.semantic_parent.kind in (
            CursorKind.FUNCTION_DECL, CursorKind.CXX_METHOD, CursorKind.CONSTRUCTOR, CursorKind.DESTRUCTOR)
        if not local and not constant and str(decl.linkage).endswith("EXTERNAL"):
            return None  # another translation unit may assign it
        if not constant and any(may_be_written(ref, parents) for ref, parents in variable_references(unit, decl)):
            return None  # the port is not that number everywhere
        value = int(m.group("n"), 0)
        return dict(key=("value", value), shown=str(value), literal=literal,
                    report_at=unit.once(_statements).get(identity(decl), unit.use_offset(decl)), holder=decl, macro="")

    @staticmethod
    def _macro_source(unit: Unit, name: str, argument: Cursor, plain: dict) -> dict | None:
        code = code_without_comments(unit.source)
        ident = re.escape(name.encode())
        defines = list(re.finditer(rb"^[ \t]*#[ \t]*define[ \t]+" + ident + rb"(?![\w(])[ \t]*(?P<body>[^\r\n]*)", code, re.M))
        if len(defines) == 1 and not re.search(rb"^[ \t]*#[ \t]*undef[ \t]+" + ident + rb"\b", code, re.M):
            body = defines[0]
            m = _PORT.match(body.group("body").decode("utf-8", "replace").strip())
            if m is None:
                return None
            value = int(m.group("n"), 0)
            text_end = body.start("body") + len(body.group("body").rstrip())
            return {**plain, "key": ("value", value), "shown": str(value),
                    "literal": (body.start("body"), text_end), "macro": name}
        if argument.kind != CursorKind.INTEGER_LITERAL:
            return None
        where = "defined in another file" if not defines else "defined more than once in this file"
        return {**plain, "key": ("macro", name), "shown": name, "literal": None, "reason": (
            f"the port comes from the macro {name}, {where} (a helper program may share it): listen on port 0 "
            "and hand serverPort() to every client, on its command line or in its environment for a helper")}

    # -- servers, their clients, and why not ---------------------------------------

    def _groups(self, unit: Unit, uses: list[PortUse], options: Options) -> Iterator[Group]:
        owners: dict[tuple, PortUse] = {}
        for u in uses:
            if u.binds and not u.negated and u.function_key is not None:
                owners.setdefault(u.function_key, u)
        if not owners:
            return
        servers = {k: self._server(unit, o) for k, o in owners.items()}
        members: dict[tuple, list[PortUse]] = {k: [] for k in owners}
        outside = []
        for u in uses:
            if any(u is o for o in owners.values()):
                continue
            home = u.function_key if u.function_key in owners else None
            if home is None:
                homes = [k for k, o in owners.items()
                         if servers[k].scope == "member" and u.class_key is not None and o.class_key == u.class_key]
                home = homes[0] if len(homes) == 1 else None
            if home is not None:
                members[home].append(u)
            elif not (u.binds and u.negated):
                outside.append(u)
        for k, owner in owners.items():
            users = tuple(members[k])
            reason = self._why_no_fix(unit, owner, servers[k], users, outside, uses)
            if not reason and owner.shown in options.shared_literals:
                reason = (f"port {owner.shown} also appears in a helper program of the analysed tree (a file with its "
                          "own main() and no QtTest): listen on port 0 and pass serverPort() to the helper on its "
                          "command line or in its environment")
            yield Group(owner, servers[k], users, reason)

    @staticmethod
    def _server(unit: Unit, owner: PortUse) -> Server:
        call = member_call(owner.call)
        known = port_call(owner.call)[0]
        getter = BOUND_PORT[known.owner]
        obj = call.object if call is not None else None
        udp = known.name == "bind" and is_derived_from(
            pointee_class(strip_casts(obj).type) if obj is not None else class_of_method(owner.function.canonical), "QUdpSocket")
        protocol = "UDP" if udp else "TCP"
        span = unit.file_range(obj) if obj is not None else None
        if span is None or not _OBJECT.match(unit.text(*span)):
            return Server("", "other", None, getter, protocol)
        after = skip_space(unit.source, span[1])
        op = "->" if unit.source[after : after + 2] == b"->" else "."
        root = strip_casts(obj)
        text = unit.text(*span) + op
        if root.kind == CursorKind.DECL_REF_EXPR and root.referenced is not None and root.referenced.kind in (
                CursorKind.VAR_DECL, CursorKind.PARM_DECL):
            return Server(text, "local", root.referenced, getter, protocol)
        if root.kind == CursorKind.MEMBER_REF_EXPR and on_this(root):
            return Server(text, "member", None, getter, protocol)
        return Server(text, "other", None, getter, protocol)

    def _why_no_fix(self, unit: Unit, owner: PortUse, server: Server, users, outside, uses) -> str:
        port = owner.shown
        ask = f"{server.text}{server.getter}()" if server.text else f"{server.getter}()"
        helper = f"listen on port 0 and pass {ask} to the helper on its command line or in its environment"
        reason = owner.reason or next((u.reason for u in users if u.reason), "")
        if reason:
            return reason
        if is_helper_program(unit):
            return (f"this file is a helper program (its own main(), no QtTest): the test that starts it must "
                    f"agree on port {port}; let the test choose it and pass it on the command line or in the environment")
        starter = next((f for f in {identity(x.function): x.function for x in (owner, *users)}.values()
                        if starts_process(f)), None)
        if starter is not None:
            return f"{function_label(starter)} starts a helper process (QProcess) that may use port {port}: {helper}"
        if outside:
            o = outside[0]
            return (f"port {port} is also used by {o.call.spelling}() in {self._where(unit, o)}, which cannot reach "
                    f"the server object; listen on port 0 and hand {ask} to it")
        if not users and not self._clients_ask_server(unit, owner, server):
            return (f"nothing in this file connects to port {port}: its clients are elsewhere (another file, a "
                    f"helper process); listen on port 0 and give them {ask} (through a getter, or on the command "
                    "line or in the environment of a helper)")
        if not server.text:
            return f"the server object has no name its clients could use; listen on port 0 and hand {ask} to them"
        again = next((u for u in users if u.binds and not u.negated), None)
        if again is not None:
            return (f"{self._where(unit, again)} listens on port {port} again (a restarted server): its clients "
                    f"need the port it gets, not the first one's; listen on port 0 and hand its port to them by hand")
        for u in users:
            why = self._unreachable(unit, owner, server, u)
            if why:
                return f"the {u.call.spelling}() in {self._where(unit, u)} {why}; listen on port 0 and hand {ask} to it"
        return self._other_uses(unit, owner, users, uses)

    @staticmethod
    def _clients_ask_server(unit: Unit, owner: PortUse, server: Server) -> bool:
        """`client.connectToHost(addr, server.serverPort())` in the listening
        function: a client whose port argument asks this server follows
        whatever port the server gets."""
        if not server.text or owner.function is None:
            return False
        name = server.text.removesuffix("->").removesuffix(".")
        for c in owner.function.walk_preorder():
            known = port_call(c) if c.kind == CursorKind.CALL_EXPR else None
            args = list(c.get_arguments()) if known is not None and not known[0].binds else []
            for asked in args[known[1]].walk_preorder() if known is not None and known[1] < len(args) else ():
                call = member_call(asked) if asked.kind == CursorKind.CALL_EXPR and asked.spelling == server.getter else None
                span = unit.file_range(call.object) if call is not None and call.object is not None else None
                if span is not None and unit.text(*span) == name:
                    return True
        return False

    @staticmethod
    def _where(unit: Unit, use: PortUse) -> str:
        f = use.function
        return f"{function_label(f) if f is not None else 'the file'} (line {unit.line_col(use.site[0])[0]})"

    @staticmethod
    def _unreachable(unit: Unit, owner: PortUse, server: Server, use: PortUse) -> str:
        if enclosing_function(use.parents) != use.function:
            return "is inside a lambda"
        if use.function_key == owner.function_key and use.site[0] < owner.site[0]:
            return "comes before the server listens"
        if server.scope == "local":
            scope = unit.once(_scopes).get(identity(server.declaration))
            if use.function_key != owner.function_key or scope is None or not any(
                    identity(p) == scope for p in use.parents):
                return "cannot see the server's variable"
        elif server.scope == "other" and use.function_key != owner.function_key:
            return "is in another function"
        return ""

    @staticmethod
    def _other_uses(unit: Unit, owner: PortUse, users, uses) -> str:
        """Why not when the number, its variable or its macro is also used
        outside the calls the fix rewrites."""
        code = code_without_comments(unit.source)
        literals = {u.literal for u in uses if u.literal is not None}
        for spelling in sorted({unit.text(*span) for span in literals}):
            seen = len(re.findall(rb"(?<![\w.])" + re.escape(spelling.encode()) + rb"(?![\w.])", code))
            if seen > sum(1 for span in literals if unit.text(*span) == spelling):
                return (f"the number {spelling} also appears elsewhere in the file (a URL, a command line, a "
                        f"comparison): they must follow the server's port; rewrite them by hand")
        # Every use of the port is a call a fix rewrites, or one whose own
        # server keeps the variable (another function's group).
        sites = [u.site for u in uses]
        holders = {identity(u.holder): u.holder for u in (owner, *users) if u.holder is not None}
        for decl in holders.values():
            for ref, _ in variable_references(unit, decl):
                at = unit.file_range(ref)
                if at is None or not any(s <= at[0] < e for s, e in sites):
                    line = unit.line_col(unit.use_offset(ref))[0]
                    return (f"the variable {decl.spelling} is also used outside the listen/connect calls (line "
                            f"{line}): it would no longer be the server's port; rewrite that use by hand")
        for name in {u.macro for u in (owner, *users) if u.macro}:
            spelled = len(re.findall(rb"(?<![\w.])" + re.escape(name.encode()) + rb"\b", code)) - 1
            if spelled > sum(1 for u in uses if u.macro == name):
                return (f"the macro {name} is also used outside the listen/connect calls: it would no longer be "
                        "the server's port; rewrite that use by hand")
        return ""

    @staticmethod
    def _drop_local(unit: Unit, group: Group) -> list[Edit]:
        """Remove a local variable that only held the port (all its uses are rewritten)."""
        holders = {identity(u.holder): u.holder for u in (group.owner, *group.users) if u.holder is not None}
        edits = []
        for decl in holders.values():
            statement = unit.once(_declaration_statements).get(identity(decl))
            span = unit.file_range(statement) if statement is not None else None
            if span is None or len(list(statement.get_children())) != 1:
                continue
            end = span[1] + 1 if unit.source[span[1] : span[1] + 1] == b";" else span[1]
            edits.append(Edit.deletion(unit.path, *line_is_only(unit.source, span[0], end)))
        return edits


def _declaration_statements(unit: Unit) -> dict[tuple, Cursor]:
    """The DECL_STMT of every local variable of the file, by the variable."""
    return {identity(c): p[-1] for c, p in unit.walk()
            if c.kind == CursorKind.VAR_DECL and p and p[-1].kind == CursorKind.DECL_STMT}


def _statements(unit: Unit) -> dict[tuple, int]:
    """Where a variable's declaration is reported: its statement."""
    return {identity(c): unit.use_offset(enclosing_statement(c, p)) for c, p in unit.walk() if c.kind == CursorKind.VAR_DECL}


def _scopes(unit: Unit) -> dict[tuple, tuple]:
    """The block each local variable is declared in, by the variable."""
    found = {}
    for c, p in unit.walk():
        if c.kind == CursorKind.VAR_DECL:
            block = next((x for x in reversed(p) if x.kind == CursorKind.COMPOUND_STMT), None)
            if block is not None:
                found[identity(c)] = identity(block)
    return found
