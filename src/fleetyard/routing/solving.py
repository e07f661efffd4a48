"""Runs the solver in a process of its own, so a long or crashing solve never holds the
server's event loop or takes the server down.

The child is a fresh interpreter (``python -m fleetyard.routing.solving``: nothing of the
server is inherited or re-imported) that reads the problem from its stdin, solves, and writes
progress ticks and the routes to its stdout, each a length-prefixed pickle. A line on its
stdin, or stdin closing (the server died), cancels the solve: PyVRP asks its stop criterion
every iteration, and the child reads the flag set by its stdin reader, so it stops within
milliseconds. The parent kills a child that outlives its time limit by the grace period; a
child that dies without an answer fails the plan with that reason."""

from __future__ import annotations

import asyncio
import contextlib
import pickle
import struct
import sys
import threading
from collections.abc import Callable
from typing import IO, Any, Final

from fleetyard.routing.problem import JobSpec, Problem
from fleetyard.routing.solver import Solved, Tick

HEADER: Final = struct.Struct(">I")
MAX_MESSAGE: Final = 512 * 1024 * 1024


class SolverFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _frame(value: object) -> bytes:
    body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(body)) + body


async def _read_frame(stream: asyncio.StreamReader) -> Any:
    header = await stream.readexactly(HEADER.size)
    (size,) = HEADER.unpack(header)
    if size > MAX_MESSAGE:
        raise SolverFailed("solver_error", "The solver's answer is too large.")
    return pickle.loads(await stream.readexactly(size))  # noqa: S301 - our own child


async def run_solver(
    problem: Problem,
    jobs: list[JobSpec],
    time_limit_s: float,
    *,
    on_tick: Callable[[Tick], None],
    cancel: asyncio.Event,
    grace_s: float = 30.0,
    every_s: float = 0.5,
) -> Solved:
    """Solve in a child process; setting ``cancel`` stops it (the best routes found so far
    come back)."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "fleetyard.routing.solving",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        limit=2**20,
    )
    assert child.stdin is not None and child.stdout is not None
    stdin, stdout = child.stdin, child.stdout
    stopper = asyncio.create_task(_cancel_on(cancel, stdin))
    try:
        stdin.write(_frame((problem, jobs, time_limit_s, every_s)))
        await stdin.drain()
        async with asyncio.timeout(time_limit_s + grace_s):
            while True:
                try:
                    kind, value = await _read_frame(stdout)
                except (asyncio.IncompleteReadError, pickle.UnpicklingError, ValueError):
                    code = await child.wait()
                    raise SolverFailed(
                        "solver_crashed", f"The solver stopped unexpectedly (exit {code})."
                    ) from None
                if kind == "tick":
                    on_tick(value)
                elif kind == "done":
                    solved: Solved = value
                    return solved
                else:
                    raise SolverFailed("solver_error", str(value)[:1000])
    except TimeoutError:
        raise SolverFailed(
            "solver_timeout", f"The solver did not finish within {time_limit_s + grace_s:g} s."
        ) from None
    except (BrokenPipeError, ConnectionResetError):
        code = await child.wait()
        raise SolverFailed(
            "solver_crashed", f"The solver stopped unexpectedly (exit {code})."
        ) from None
    finally:
        stopper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await stopper
        await _reap(child)


async def _cancel_on(cancel: asyncio.Event, stdin: asyncio.StreamWriter) -> None:
    await cancel.wait()
    with contextlib.suppress(OSError, RuntimeError):
        stdin.write(b"cancel\n")
        await stdin.drain()


async def _reap(child: asyncio.subprocess.Process) -> None:
    """Close its stdin (which cancels it), give it a moment, then terminate, then kill."""
    if child.stdin is not None:
        with contextlib.suppress(OSError, RuntimeError):
            child.stdin.close()
    for signal in ("wait", "terminate", "kill"):
        if signal == "terminate":
            with contextlib.suppress(ProcessLookupError):
                child.terminate()
        elif signal == "kill":
            with contextlib.suppress(ProcessLookupError):
                child.kill()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1.0):
                await child.wait()
                return


# the child -----------------------------------------------------------------------------------
def _child_main(stdin: IO[bytes], stdout: IO[bytes]) -> None:
    from fleetyard.routing.solver import solve

    (size,) = HEADER.unpack(stdin.read(HEADER.size))
    problem, jobs, time_limit_s, every_s = pickle.loads(stdin.read(size))  # noqa: S301
    stop = threading.Event()

    def watch() -> None:
        stdin.readline()  # a line or the end of the pipe
        stop.set()

    threading.Thread(target=watch, daemon=True).start()
    lock = threading.Lock()

    def send(kind: str, value: object) -> None:
        with lock:
            stdout.write(_frame((kind, value)))
            stdout.flush()

    try:
        solved = solve(
            problem,
            jobs,
            time_limit_s,
            cancelled=stop.is_set,
            progress=lambda tick: send("tick", tick),
            every_s=every_s,
        )
    except Exception as error:  # said to the parent, which fails the plan with it
        send("error", f"{type(error).__name__}: {error}")
    else:
        send("done", solved)


if __name__ == "__main__":
    _child_main(sys.stdin.buffer, sys.stdout.buffer)
