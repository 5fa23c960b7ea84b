"""The pointer-fate analysis (fate.py) on snippets parsed with the real Qt
headers: one test per fate kind. One translation unit serves every test."""

from __future__ import annotations

import pytest

from qtfix import fate
from qtfix.fate import Kind
from qtfix.parse import CursorKind, parse
from qtfix.project import BASE_FLAGS, discover_qt_flags

SNIPPET = b"""\
#include <QtNetwork>
#include <QtTest>

void helper(QLocalSocket *socket);

class Owner : public QObject
{
    Q_OBJECT
public:
    ~Owner();
    void drain();
    void store();
    QLocalSocket *make();
    QTcpSocket *m_socket = nullptr;
    QList<QLocalSocket *> m_list;
    QList<QLocalSocket *> m_queue;
    QScopedPointer<QTimer> m_timer;
};

Owner::~Owner()
{
    delete m_socket;
    qDeleteAll(m_list);
}

void Owner::drain()
{
    while (!m_queue.isEmpty())
        delete m_queue.takeFirst();
}

void Owner::store()
{
    QTcpSocket *kept = new QTcpSocket;
    m_socket = kept;
    m_list.append(new QLocalSocket);
    m_queue.append(new QLocalSocket);
    m_timer.reset(new QTimer);
}

class Server : public QTcpServer
{
protected:
    void incomingConnection(qintptr) override
    {
        QTcpSocket *pending = new QTcpSocket;
        addPendingConnection(pending);
    }
};

QLocalSocket *Owner::make()
{
    QLocalSocket *made = new QLocalSocket;
    return made;
}

void everyPath() { QLocalSocket *all = new QLocalSocket; all->flush(); delete all; }
void earlyReturn() { QLocalSocket *some = new QLocalSocket; QVERIFY(some->flush()); delete some; }
void conditional(bool b) { QLocalSocket *cond = new QLocalSocket; if (b) delete cond; }
void parented(QObject *owner) { QLocalSocket *child = new QLocalSocket(owner); child->flush(); }
void nullParent() { QLocalSocket *orphan = new QLocalSocket(nullptr); orphan->flush(); }
void reparented(QObject *owner) { QLocalSocket *adopted = new QLocalSocket; adopted->setParent(owner); }
void taken() { QScopedPointer<QLocalSocket> holder; QLocalSocket *given = new QLocalSocket; holder.reset(given); }
void wrapped() { QLocalSocket *raw = new QLocalSocket; QScopedPointer<QLocalSocket> guard(raw); }
void captured() { QLocalSocket *cap = new QLocalSocket; auto f = [cap]() { cap->flush(); }; f(); }
void moved(QThread *thread) { QObject *worker = new QObject; worker->moveToThread(thread); }
void later() { QLocalSocket *soon = new QLocalSocket; soon->deleteLater(); }
void connectedLater(QTimer *timer) { QObject *timed = new QObject; QObject::connect(timer, &QTimer::timeout, timed, &QObject::deleteLater); }
void watched() { QObject *observed = new QObject; QSignalSpy spy(observed, &QObject::destroyed); }
void leaked() { QLocalSocket *lost = new QLocalSocket; lost->flush(); }
void passed() { QLocalSocket *handed = new QLocalSocket; helper(handed); }
void aliased() { QLocalSocket *first = new QLocalSocket; QLocalSocket *second = first; second->flush(); }
void reseat(QLocalSocket *&socket);
void byReference() { QLocalSocket *bound = new QLocalSocket; reseat(bound); delete bound; }
void guarded() { QLocalSocket *guardedSocket = new QLocalSocket; QPointer<QLocalSocket> guard(guardedSocket); delete guardedSocket; }
QObject *castBack() { QLocalSocket *cast = new QLocalSocket; return static_cast<QObject *>(cast); }
void nulled() { QLocalSocket *cleared = new QLocalSocket; delete cleared; cleared = nullptr; }
void throughAlias() { QLocalSocket *original = new QLocalSocket; QObject *alias = original; delete alias; }
void takenOut(QList<QLocalSocket *> &queue) { QLocalSocket *out = queue.takeFirst(); delete out; }
void listFreed() {
    QList<QLocalSocket *> sockets{new QLocalSocket};
    QVERIFY(sockets.first()->flush());
    for (QLocalSocket *s : sockets)
        s->flush();
    delete sockets.takeLast();
    qDeleteAll(sockets);
}
void listByIterators() {
    QList<QLocalSocket *> pair;
    pair << new QLocalSocket << new QLocalSocket;
    QVERIFY(pair.first()->flush());
    qDeleteAll(pair.begin(), pair.end());
}
QList<QLocalSocket *> listReturned() { QList<QLocalSocket *> handedBack{new QLocalSocket}; return handedBack; }
void addressed() { QLocalSocket *where = new QLocalSocket; QLocalSocket **at = &where; (*at)->flush(); }
QLocalSocket *eitherNew(bool b)
{
    QLocalSocket *either;
    either = b ? new QLocalSocket : new QLocalSocket(nullptr);
    QObject::connect(either, &QLocalSocket::connected, either, &QLocalSocket::flush);
    return either;
}
QLocalSocket *g_kept = nullptr;
QLocalSocket *keptToo() { QLocalSocket *alsoKept = new QLocalSocket; g_kept = alsoKept; return alsoKept; }
QLocalSocket *sometimesKept(bool b) { return b ? g_kept : new QLocalSocket; }
void factories(Owner &owner)
{
    QLocalSocket *fromEither = eitherNew(true);
    QLocalSocket *fromKept = keptToo();
    QLocalSocket *fromSometimes = sometimesKept(false);
    QLocalSocket *fromMake = owner.make();
    delete fromEither; delete fromKept; delete fromSometimes; delete fromMake;
}
class OffTask : public QRunnable { public: OffTask() { setAutoDelete(false); } void run() override {} };
class OnTask : public QRunnable { public: void run() override {} };
void pooled(QThreadPool *pool)
{
    OffTask *offByClass = new OffTask;
    pool->start(offByClass);
    OnTask *onByDefault = new OnTask;
    pool->start(onByDefault);
    OnTask *offHere = new OnTask;
    offHere->setAutoDelete(false);
    pool->start(offHere);
}
void unthreaded(QThread *thread)
{
    QObject *nowhere = new QObject;
    nowhere->moveToThread(nullptr);
    QObject *somewhere = new QObject;
    somewhere->moveToThread(thread);
}
"""


@pytest.fixture(scope="module")
def unit(tmp_path_factory):
    path = tmp_path_factory.mktemp("fate") / "tst_fate.cpp"
    path.write_bytes(SNIPPET)
    return parse(path, SNIPPET, [*BASE_FLAGS, *discover_qt_flags()])


def of_variable(unit, name) -> fate.Fate:
    cursor, parents = next((c, p) for c, p in unit.walk() if c.kind == CursorKind.VAR_DECL and c.spelling == name)
    return fate.fate_of(unit, cursor, parents)


def of_new_in(unit, function) -> list[fate.Fate]:
    return [fate.fate_of(unit, c, p) for c, p in unit.walk()
            if c.kind == CursorKind.CXX_NEW_EXPR and any(f.spelling == function for f in p)]


def field(unit, name):
    return next(c for c, _ in unit.walk() if c.kind == CursorKind.FIELD_DECL and c.spelling == name)


def bodies(unit):
    return [c for c, _ in unit.walk() if c.kind in (CursorKind.CXX_METHOD, CursorKind.DESTRUCTOR) and c.is_definition()]


def test_deleted_on_every_path(unit):
    found = of_variable(unit, "all")
    assert found.kind == Kind.DELETED and found.new_expr.kind == CursorKind.CXX_NEW_EXPR
    (event,) = found.of(Kind.DELETED)
    assert event.at.kind == CursorKind.CXX_DELETE_EXPR


def test_an_early_return_skips_the_delete(unit):
    found = of_variable(unit, "some")
    assert found.kind == Kind.DELETED_SOME_PATHS and Kind.DELETED not in found.kinds
    (event,) = found.of(Kind.DELETED_SOME_PATHS)
    assert event.conditional is None
    assert [r.kind for r in event.skipped_by] == [CursorKind.RETURN_STMT]  # the QVERIFY's return


def test_a_conditional_delete_is_on_some_paths(unit):
    (event,) = of_variable(unit, "cond").of(Kind.DELETED_SOME_PATHS)
    assert event.conditional.kind == CursorKind.IF_STMT and event.skipped_by == ()


def test_parent_at_construction(unit):
    found = of_variable(unit, "child")
    assert found.kind == Kind.PARENTED and found.events[0].at.spelling == "owner"
    assert of_variable(unit, "orphan").kind == Kind.LEAKED  # an explicit null parent is none


def test_set_parent(unit):
    (event,) = of_variable(unit, "adopted").events
    assert event.kind == Kind.SET_PARENT and event.at.spelling == "setParent"


def test_add_pending_connection_keeps_without_owning(unit):
    found = of_variable(unit, "pending")
    assert found.kinds == {Kind.KEPT} and found.kind == Kind.KEPT


def test_handed_to_a_call_that_takes_ownership(unit):
    assert of_variable(unit, "given").kinds == {Kind.TAKEN}


def test_owned_by_a_smart_pointer(unit):
    assert of_variable(unit, "raw").kinds == {Kind.SMART_POINTER}


def test_stored_in_a_member_freed_by_the_destructor(unit):
    (stored,) = of_variable(unit, "kept").of(Kind.MEMBER)
    assert stored.field.spelling == "m_socket"
    (freed,) = fate.member_frees(unit, stored.field, bodies(unit))
    assert freed.kind == Kind.FREED_BY_DESTRUCTOR and freed.at.kind == CursorKind.CXX_DELETE_EXPR


def test_stored_in_a_container_freed_by_qdeleteall(unit):
    appended = [f for f in of_new_in(unit, "store") if f.variable is None]
    assert [f.kind for f in appended] == [Kind.CONTAINER, Kind.CONTAINER, Kind.TAKEN]  # m_timer.reset(new)
    assert [e.kind for e in fate.member_frees(unit, field(unit, "m_list"), bodies(unit))] == [Kind.FREED_BY_QDELETEALL]


def test_container_freed_by_take_first_and_delete(unit):
    assert [e.kind for e in fate.member_frees(unit, field(unit, "m_queue"), bodies(unit))] == [Kind.FREED_BY_TAKE]


def test_returned(unit):
    (event,) = of_variable(unit, "made").events
    assert event.kind == Kind.RETURNED and event.at.kind == CursorKind.RETURN_STMT


def test_captured_by_a_lambda(unit):
    found = of_variable(unit, "cap")
    assert found.kinds == {Kind.CAPTURED} and found.events[0].at.kind == CursorKind.LAMBDA_EXPR


def test_moved_to_a_thread(unit):
    assert of_variable(unit, "worker").kind == Kind.MOVED_TO_THREAD


def test_delete_later_called_or_connected(unit):
    assert of_variable(unit, "soon").kind == Kind.DELETE_LATER
    assert of_variable(unit, "timed").kind == Kind.DELETE_LATER_ARRANGED  # connected: the signal may never come


def test_destruction_watched(unit):
    assert of_variable(unit, "observed").kinds == {Kind.WATCHED}
    assert of_variable(unit, "guardedSocket").kinds == {Kind.WATCHED, Kind.DELETED}  # a QPointer guard


def test_bound_to_a_reference_parameter(unit):
    assert of_variable(unit, "bound").kinds == {Kind.BY_REFERENCE, Kind.DELETED}


def test_returned_through_a_cast(unit):
    assert of_variable(unit, "cast").kinds == {Kind.RETURNED}


def test_leaked_when_only_looked_at(unit):
    found = of_variable(unit, "lost")
    assert found.events == () and found.kind == Kind.LEAKED


def test_passed_to_a_call_qtfix_cannot_see_into(unit):
    assert of_variable(unit, "handed").kinds == {Kind.PASSED}


def test_aliased_and_address_taken(unit):
    assert of_variable(unit, "first").kinds == {Kind.ALIASED}
    assert of_variable(unit, "where").kinds == {Kind.ADDRESS_TAKEN}


def test_a_variable_not_made_by_a_new(unit):
    found = of_variable(unit, "second")
    assert found.new_expr is None and found.variable.spelling == "second" and found.events == ()


def test_set_to_null_after_its_delete(unit):
    found = of_variable(unit, "cleared")
    assert found.kinds == {Kind.DELETED, Kind.NULLED}
    (event,) = found.of(Kind.NULLED)
    assert event.at.kind == CursorKind.BINARY_OPERATOR


def test_deleted_through_an_alias(unit):
    found = of_variable(unit, "original")
    assert found.kinds == {Kind.ALIASED, Kind.DELETED_THROUGH_ALIAS}
    (event,) = found.of(Kind.DELETED_THROUGH_ALIAS)
    assert event.field.spelling == "alias" and event.at.kind == CursorKind.CXX_DELETE_EXPR


def test_taken_out_of_a_container(unit):
    out = of_variable(unit, "out")
    assert fate.is_taken_out(fate.initializer(out.variable)) and out.kinds == {Kind.DELETED}
    assert not fate.is_taken_out(fate.initializer(of_variable(unit, "all").variable))  # a `new`


def container(unit, name) -> fate.Fate:
    cursor, parents = next((c, p) for c, p in unit.walk() if c.kind == CursorKind.VAR_DECL and c.spelling == name)
    assert fate.holds_pointers(cursor.type)
    return fate.container_fate(unit, cursor, parents)


def test_local_container_freed_by_qdeleteall_after_an_early_return(unit):
    found = container(unit, "sockets")
    (freed,) = found.of(Kind.FREED_BY_QDELETEALL)
    assert freed.conditional is None and [r.kind for r in freed.skipped_by] == [CursorKind.RETURN_STMT]
    assert found.kinds == {Kind.LOOKED, Kind.FREED_BY_TAKE, Kind.FREED_BY_QDELETEALL}


def test_local_container_returned(unit):
    assert container(unit, "handedBack").kinds == {Kind.RETURNED}
    assert not fate.holds_pointers(of_variable(unit, "all").variable.type)


def test_member_stores(unit):
    (assigned,) = fate.member_stores(field(unit, "m_socket"), bodies(unit))
    assert assigned.form == "assignment" and assigned.at.kind == CursorKind.BINARY_OPERATOR
    assert [c.spelling for c in assigned.value.walk_preorder() if c.kind == CursorKind.DECL_REF_EXPR] == ["kept"]
    (reset,) = fate.member_stores(field(unit, "m_timer"), bodies(unit))
    assert reset.form == "call" and fate.strip_casts(reset.value).kind == CursorKind.CXX_NEW_EXPR
    assert fate.member_stores(field(unit, "m_list"), bodies(unit)) == ()  # appended to, never assigned


def test_local_container_freed_by_qdeleteall_of_its_iterators(unit):
    found = container(unit, "pair")
    (freed,) = found.of(Kind.FREED_BY_QDELETEALL)  # one event for begin() and end()
    assert freed.at.spelling == "qDeleteAll" and freed.conditional is None and freed.skipped_by
    assert Kind.PASSED not in found.kinds  # `pair << p` stores into it


def initial_call(unit, name):
    return fate.strip_casts(fate.initializer(of_variable(unit, name).variable))


def test_a_call_whose_every_return_is_a_new_object_is_a_producer(unit):
    assert fate.is_producer_call(unit, initial_call(unit, "fromEither"))  # a local given `c ? new : new`, connected
    assert fate.is_producer_call(unit, initial_call(unit, "fromMake"))  # a member returning its local `new`
    assert not fate.is_producer_call(unit, initial_call(unit, "fromKept"))  # also kept in a global
    assert not fate.is_producer_call(unit, initial_call(unit, "fromSometimes"))  # one branch is not new


def test_run_by_a_thread_pool(unit):
    for name, off in (("offByClass", True), ("onByDefault", False), ("offHere", True)):
        found = of_variable(unit, name)
        assert Kind.POOLED in found.kinds, name
        assert fate.auto_delete_off(unit, found.variable) == off, name


def test_moved_to_no_thread(unit):
    for name, nowhere in (("nowhere", True), ("somewhere", False)):
        cursor, parents = next((c, p) for c, p in unit.walk()
                               if c.kind == CursorKind.DECL_REF_EXPR and c.spelling == name)
        event = fate.use_of(unit, cursor, parents)
        assert event.kind == Kind.MOVED_TO_THREAD and fate.moves_to_no_thread(event, parents) == nowhere, name
