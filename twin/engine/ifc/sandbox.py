"""Run :func:`read_ifc` in a resource-limited child process.

IFC files come from outside; the geometry kernel is C++ and can crash, loop
or exhaust memory on hostile or broken input. ``parse_ifc_isolated``:

* refuses files larger than ``max_bytes`` before reading them;
* starts a fresh interpreter (``multiprocessing`` *spawn* context) whose
  address space is capped with ``RLIMIT_AS`` = ``memory_bytes``;
* waits at most ``timeout_s`` seconds of wall time, then kills the child;
* re-raises a child's ``CimImportError`` with the same message and turns a
  signal (segfault, abort), a ``MemoryError`` or the timeout into a
  ``CimImportError`` the planner can read. The parent always survives.

Test hook: when the environment variable ``TWIN_IFC_SANDBOX_TEST_FAULT`` is
``segfault``, ``abort``, ``memory`` or ``hang``, the child misbehaves that
way instead of parsing. It is read only in the child.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from multiprocessing.connection import Connection
from pathlib import Path

from twin.engine.records import CimImportError, Georeference, IfcSummary

FAULT_ENV = "TWIN_IFC_SANDBOX_TEST_FAULT"
JOIN_GRACE_S = 10.0


def _test_fault(kind: str, memory_bytes: int) -> None:
    """Misbehave as requested by the test hook (see module docstring)."""
    if kind == "segfault":
        import ctypes

        ctypes.string_at(0)
    elif kind == "abort":
        os.abort()
    elif kind == "memory":
        hoard = [bytearray(memory_bytes // 4) for _ in range(8)]
        del hoard
    elif kind == "hang":
        import time

        time.sleep(3600)


def _child(conn: Connection, path: str, placement: Georeference | None, memory_bytes: int) -> None:
    """Child entry point: cap memory, parse, send ``(status, payload)`` to the parent."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        fault = os.environ.get(FAULT_ENV, "")
        if fault:
            _test_fault(fault, memory_bytes)
        from twin.engine.ifc.reader import read_ifc

        conn.send(("ok", read_ifc(path, placement=placement)))
    except CimImportError as exc:
        conn.send(("rejected", str(exc)))
    except MemoryError:
        conn.send(("memory", ""))
    except Exception as exc:  # reported to the parent, never swallowed
        conn.send(
            (
                "failed",
                f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}",
            )
        )
    finally:
        conn.close()


def _check_size(path: Path, max_bytes: int) -> None:
    """Refuse missing files and files larger than ``max_bytes`` before any parsing."""
    if not path.is_file():
        raise CimImportError(f"IFC file not found: {path}")
    size = path.stat().st_size
    if size > max_bytes:
        raise CimImportError(
            f"IFC file {path.name} is {size / 2**20:,.1f} MiB, larger than the "
            f"{max_bytes / 2**20:,.1f} MiB limit; split the model or raise the limit"
        )


def _signal_name(number: int) -> str:
    """Return e.g. ``SIGSEGV`` for 11, or ``?``."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return "?"


def _outcome(
    message: tuple[str, object] | None, exitcode: int | None, name: str, memory_bytes: int
) -> IfcSummary:
    """Turn the child's message / exit code into a summary or a CimImportError."""
    if message is not None:
        status, payload = message
        if status == "ok" and isinstance(payload, IfcSummary):
            return payload
        if status == "rejected":
            raise CimImportError(str(payload))
        if status == "memory":
            raise CimImportError(
                f"IFC parsing of {name} exceeded memory limit of {memory_bytes / 2**30:.1f} GiB"
            )
        raise CimImportError(f"IFC parser failed on {name}: {payload}")
    if exitcode is not None and exitcode < 0:
        raise CimImportError(
            f"IFC parser crashed (signal {-exitcode} {_signal_name(-exitcode)}) reading "
            f"{name}; the file is probably corrupt or exceeded memory limit"
        )
    raise CimImportError(f"IFC parser exited with code {exitcode} reading {name} without a result")


def _run_child(
    path: Path, placement: Georeference | None, timeout_s: float, memory_bytes: int
) -> tuple[tuple[str, object] | None, int | None]:
    """Run the child; kill it at the timeout; return (message, exit code)."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(sender, str(path), placement, memory_bytes), daemon=True
    )
    child.start()
    sender.close()
    message = None
    try:
        if not receiver.poll(timeout_s):
            child.kill()
            child.join(JOIN_GRACE_S)
            raise CimImportError(
                f"IFC parsing of {path.name} exceeded {timeout_s:g} s; the model is "
                "too large or complex for the time limit"
            )
        try:
            message = receiver.recv()
        except EOFError:  # the child died before sending: its exit code tells why
            message = None
    finally:
        receiver.close()
    child.join(JOIN_GRACE_S)
    if child.exitcode is None:
        child.kill()
        child.join(JOIN_GRACE_S)
    return message, child.exitcode


def parse_ifc_isolated(
    path: str | Path,
    *,
    placement: Georeference | None = None,
    timeout_s: float = 300.0,
    memory_bytes: int = 4 * 2**30,
    max_bytes: int = 1 * 2**30,
) -> IfcSummary:
    """Parse an IFC file with :func:`read_ifc` in a sandboxed child process.

    Parameters
    ----------
    path : str or Path
        The IFC file.
    placement : Georeference, optional
        Fallback placement passed to ``read_ifc``.
    timeout_s : float
        Wall-clock limit in seconds.
    memory_bytes : int
        Address-space limit of the child in bytes.
    max_bytes : int
        Largest accepted file size in bytes.

    Returns
    -------
    IfcSummary
        What ``read_ifc`` returned in the child.

    Raises
    ------
    CimImportError
        Rejected input, crash, timeout or memory exhaustion (one-line message).
    """
    path = Path(path)
    _check_size(path, max_bytes)
    message, exitcode = _run_child(path, placement, timeout_s, memory_bytes)
    return _outcome(message, exitcode, path.name, memory_bytes)
