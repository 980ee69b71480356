"""No network for the processes that evaluate queries, and a bound on their memory.

A timed query on the embedded store runs in a query worker process (``kg.store.querypool``, a
pool of ``kg.store.workers``), and the SPARQL guard parses in such workers too. Before it takes
any work, a worker cuts itself off from the network, so even a SPARQL text the
guard (``kg.http.guard``) misjudged cannot make the store send a request (``SERVICE``, ``LOAD``):

1. ``seccomp``: a seccomp filter makes ``socket()`` fail with ``EACCES`` for every address
   family but ``AF_UNIX``, and ``io_uring_setup`` likewise (x86_64 and aarch64; another
   system-call ABI is killed outright). It costs microseconds per worker.
2. ``netns``: elsewhere, the worker moves into a new, empty network namespace
   (``unshare(CLONE_NEWNET)``, needs root or ``CAP_SYS_ADMIN``; then
   ``unshare(CLONE_NEWUSER | CLONE_NEWNET)`` where user namespaces are allowed). Its only
   interface is a loopback that is down: every ``connect`` fails, loopback included.

``probe()`` (run once when the service starts) tries both in a throwaway child and checks that
a connection to a listening loopback socket of the parent really fails; the service logs which
one holds, or an error when none does (the guard is then the only defence, as it is for a
remote store). A worker whose sandbox cannot be set up although the probe found one refuses to
start (fail closed).

Updates on the embedded store run in the server process (they write); ``offline(fn)`` runs them
on one long-lived thread that has entered the same sandbox (a network namespace and a seccomp
filter are both per thread), so an update cannot call out either.

``limit_memory(mib)`` caps a worker's address space (``RLIMIT_AS``) at what it uses now plus
``mib``, so one query cannot take the machine's memory.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import resource
import socket
import struct
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.thread import BrokenThreadPool
from typing import Literal, TypeVar

Method = Literal["netns", "seccomp"]
T = TypeVar("T")

_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2

_libc = ctypes.CDLL(None, use_errno=True) if os.name == "posix" else None

#: The method ``probe`` found to work in this process (None: not probed yet, or none works).
method: Method | None = None
#: Whether ``probe`` has run.
probed = False


class SandboxError(Exception):
    """The sandbox could not be set up."""


def _netns() -> None:
    if _libc is None:
        raise SandboxError("no libc")
    if _libc.unshare(_CLONE_NEWNET) == 0:
        return
    if _libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0:
        return
    raise SandboxError(f"unshare: {os.strerror(ctypes.get_errno())}")


# --- seccomp: a classic BPF program over struct seccomp_data {nr, arch, ip, args[6]} ---------

_ARCH = {  # AUDIT_ARCH_*, socket, io_uring_setup
    "x86_64": (0xC000003E, 41, 425),
    "aarch64": (0xC00000B7, 198, 425),
}
_LD_W_ABS, _JEQ, _JGE, _RET = 0x20, 0x15, 0x35, 0x06
_ALLOW = 0x7FFF0000
_DENY = 0x00050000 | errno.EACCES  # SECCOMP_RET_ERRNO
_KILL = 0x80000000  # SECCOMP_RET_KILL_PROCESS


class _Filter(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _program() -> bytes:
    arch = _ARCH.get(platform.machine())
    if arch is None:
        raise SandboxError(f"no seccomp filter for {platform.machine()}")
    audit, sys_socket, sys_uring = arch
    ops = [
        (_LD_W_ABS, 0, 0, 4),  # 0: arch
        (_JEQ, 1, 0, audit),  # 1: our architecture? skip the kill
        (_RET, 0, 0, _KILL),  # 2: another ABI (e.g. i386 on x86_64): refuse outright
        (_LD_W_ABS, 0, 0, 0),  # 3: syscall number
        (_JGE, 6, 0, 0x40000000),  # 4: x32 syscalls: deny
        (_JEQ, 5, 0, sys_uring),  # 5: io_uring_setup: deny
        (_JEQ, 0, 3, sys_socket),  # 6: socket? else allow
        (_LD_W_ABS, 0, 0, 16),  # 7: its address family (args[0], low half)
        (_JEQ, 0, 2, socket.AF_UNIX),  # 8: AF_UNIX? allow, else deny
        (_RET, 0, 0, _ALLOW),  # 9
        (_RET, 0, 0, _ALLOW),  # 10
        (_RET, 0, 0, _DENY),  # 11
    ]
    return b"".join(struct.pack("=HBBI", *op) for op in ops)


def _seccomp() -> None:
    if _libc is None:
        raise SandboxError("no libc")
    code = _program()
    buf = ctypes.create_string_buffer(code, len(code))
    prog = _Filter(len(code) // 8, ctypes.cast(buf, ctypes.c_void_p))
    if _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxError(f"prctl(NO_NEW_PRIVS): {os.strerror(ctypes.get_errno())}")
    if _libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        raise SandboxError(f"seccomp: {os.strerror(ctypes.get_errno())}")


#: Tried in this order: a seccomp filter costs microseconds per worker, a new network namespace
#: about a millisecond on an idle machine (and ten on a busy one).
_METHODS = {"seccomp": _seccomp, "netns": _netns}


def deny_network(which: Method | None = None) -> Method:
    """Cut this process off from the network (``which``, or the first method that works)."""
    errors = []
    for name in [which] if which else list(_METHODS):
        try:
            _METHODS[name]()
            return name  # type: ignore[return-value]
        except SandboxError as exc:
            errors.append(f"{name}: {exc}")
    raise SandboxError("; ".join(errors))


def enter() -> None:
    """In a worker process: the sandbox ``probe`` found, or ``SandboxError`` (fail closed)."""
    if method is not None:
        deny_network(method)


def limit_memory(mib: int) -> None:
    """Cap this process's address space at its present size plus ``mib`` MiB (the soft limit:
    the process itself may lift it again, ``unlimit_memory``; the work it runs cannot)."""
    if mib <= 0:
        return
    try:
        with open("/proc/self/statm") as fh:  # our own size, in pages
            size = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return
    cap = size + mib * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def unlimit_memory() -> None:
    """Lift the cap ``limit_memory`` set (up to the hard limit)."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


def _blocked(which: Method, port: int) -> bool | None:
    """Whether, after ``deny_network(which)``, a child cannot connect to loopback ``port``;
    None when ``which`` cannot be set up here."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - in child
        code = 1  # connected: the sandbox does not hold
        try:
            deny_network(which)
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
        except SandboxError:
            code = 2
        except OSError:
            code = 0  # the connection failed: the sandbox holds
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1
    return None if code == 2 else code == 0


def probe() -> Method | None:
    """Find (once) which sandbox works here, checked against a real loopback listener."""
    global method, probed
    if probed:
        return method
    probed = True
    if not hasattr(os, "fork"):
        return None
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        for name in _METHODS:
            if _blocked(name, port):  # type: ignore[arg-type]
                method = name  # type: ignore[assignment]
                break
    return method


_offline: ThreadPoolExecutor | None = None
_offline_lock = threading.Lock()


def _enter_thread() -> None:
    if probe() is not None:
        deny_network(method)


def offline(fn: Callable[[], T]) -> T:
    """``fn()`` on this process's thread without network (see above); ``SandboxError`` when
    that thread could not enter the sandbox the probe found."""
    global _offline
    with _offline_lock:
        if _offline is None:
            _offline = ThreadPoolExecutor(
                1, thread_name_prefix="kg-offline", initializer=_enter_thread
            )
        executor = _offline
    try:
        return executor.submit(fn).result()
    except BrokenThreadPool as exc:
        raise SandboxError(f"the thread without network could not be set up: {exc}") from exc
