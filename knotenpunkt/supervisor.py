"""`make run`'s process supervisor: the Procfile's processes, each restarted when it crashes.

honcho (and foreman) stop everything when one process dies; a development
stack should behave like production instead, where systemd, Compose or
Kubernetes restart a crashed process by policy. Here:

- each Procfile line ``name: command`` runs in its own process group, its output
  prefixed with the name;
- a process that exits while the supervisor is not stopping is started again
  after a back-off (1 s, doubling up to 30 s; back to 1 s after a minute of uptime),
  with a log line per state change;
- SIGINT or SIGTERM stop all of them: SIGTERM to each group, SIGKILL after a grace period.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

STABLE_AFTER = 60.0
MAX_BACKOFF = 30.0


def read_procfile(path: Path) -> list[tuple[str, str]]:
    """(name, command) per line; raises ValueError naming a line that is not `name: command`."""
    entries = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, command = line.partition(":")
        if not sep or not name.strip() or not command.strip():
            raise ValueError(f"{path}:{n}: expected 'name: command', got {line!r}")
        entries.append((name.strip(), command.strip()))
    return entries


@dataclass
class Child:
    name: str
    command: str
    proc: subprocess.Popen | None = None
    started: float = 0.0
    restarts: int = 0
    backoff: float = 1.0
    next_start: float = 0.0
    pump: threading.Thread | None = field(default=None, repr=False)


class Supervisor:
    """Runs the processes until stop() or a signal; restarts the ones that crash."""

    def __init__(
        self,
        entries: list[tuple[str, str]],
        *,
        env: dict | None = None,
        cwd: Path | None = None,
        out=None,
        grace: float = 10.0,
        min_backoff: float = 1.0,
    ):
        self.children = [Child(name, command) for name, command in entries]
        self.env = dict(os.environ if env is None else env)
        self.cwd = str(cwd) if cwd else None
        self.out = out or sys.stdout
        self.grace = grace
        self.min_backoff = min_backoff
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        width = max((len(c.name) for c in self.children), default=0)
        self._width = width

    def say(self, name: str, text: str) -> None:
        with self._lock:
            self.out.write(f"{time.strftime('%H:%M:%S')} {name:<{self._width}} | {text}\n")
            self.out.flush()

    def _start(self, child: Child) -> None:
        child.proc = subprocess.Popen(
            shlex.split(child.command),
            env=self.env,
            cwd=self.cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            text=True,
            bufsize=1,
        )
        child.started = time.monotonic()
        child.pump = threading.Thread(target=self._pump, args=(child, child.proc), daemon=True)
        child.pump.start()
        self.say("supervisor", f"{child.name} started (pid {child.proc.pid})")

    def _pump(self, child: Child, proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            self.say(child.name, line.rstrip("\n"))
        proc.stdout.close()

    def step(self) -> None:
        """Look at every process once: schedule a restart for the ones that ended."""
        now = time.monotonic()
        for child in self.children:
            if child.proc is None:
                if now >= child.next_start:
                    self._start(child)
                continue
            code = child.proc.poll()
            if code is None:
                if now - child.started > STABLE_AFTER:
                    child.backoff = self.min_backoff
                continue
            if child.pump is not None:
                child.pump.join(timeout=2)
            child.restarts += 1
            delay = child.backoff
            child.backoff = min(child.backoff * 2, MAX_BACKOFF)
            child.next_start = now + delay
            child.proc = None
            self.say(
                "supervisor",
                f"{child.name} exited with {code}; starting it again in {delay:.0f} s "
                f"(restart {child.restarts})",
            )

    def run(self, poll: float = 0.2) -> int:
        """Supervise until stop(); SIGINT/SIGTERM stop (main thread only). Returns 0."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: self.stopping.set())
            signal.signal(signal.SIGINT, lambda *_: self.stopping.set())
        for child in self.children:
            child.backoff = self.min_backoff
        try:
            while not self.stopping.is_set():
                self.step()
                self.stopping.wait(poll)
        finally:
            self._stop_all()
        return 0

    def stop(self) -> None:
        self.stopping.set()

    def _stop_all(self) -> None:
        running = [c for c in self.children if c.proc is not None and c.proc.poll() is None]
        for child in running:
            try:
                os.killpg(child.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        deadline = time.monotonic() + self.grace
        for child in running:
            try:
                child.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say("supervisor", f"{child.name} did not stop in {self.grace:.0f} s: killed")
                try:
                    os.killpg(child.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    continue
                child.proc.wait()
        for child in self.children:
            if child.pump is not None:
                child.pump.join(timeout=2)
        self.say("supervisor", "all processes stopped")
