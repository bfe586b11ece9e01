"""The make-run stack for a test: `knotenpunkt run` (what `make run` starts) in a folder of the
test's own.

The real command with its embedded PostgreSQL, the filesystem broker, the dev mail sink
(var/mail/*.eml) and the Procfile's nine processes. Only the ports differ: the Procfile's own
lines with ``--port`` on free ports (KNOTENPUNKT_PROCFILE), so that the test never meets
another make run on 8000-8004; the workers' ops ports are off.
"""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from knotenpunkt.shared.config import ROOT, SERVICES
from tests.support import free_port


def scratch(name: str) -> Path:
    """A folder for one stack outside pytest's basetemp: the embedded PostgreSQL runs as another
    user when the tests run as root, and a parallel pytest session resets its basetemp to 0700."""
    return Path(tempfile.mkdtemp(prefix=f"kp-{name}-"))


class MakeRun:
    def __init__(self, folder: Path, **env: str):
        self.folder = Path(folder)
        self.var = self.folder / "var"
        self.ports = {"portal": free_port(), **{s: free_port() for s in SERVICES}}
        self.origin = f"http://127.0.0.1:{self.ports['portal']}"
        self.procfile = self.folder / "Procfile"
        lines = []
        for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
            name = line.partition(":")[0].strip()
            if name in self.ports:
                line += f" --port {self.ports[name]}"
            lines.append(line)
        self.procfile.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k
            not in (
                "DATABASE_URL",
                "BROKER_URL",
                "SMTP_URL",
                "TENANTS",
                "PUBLIC_URL",
                "PORTAL_PUBLIC_URL",
                "FEDERATION_URL",
                "OPARL_BASE_URL",
                "KNOTENPUNKT_DEV",
            )
        }
        self.env.update(
            KNOTENPUNKT_VAR=str(self.var),
            KNOTENPUNKT_PROCFILE=str(self.procfile),
            EMBEDDED_PG_PORT=str(free_port()),
            PUBLIC_URL=self.origin,
            WORKER_OPS_PORT="0",
            WEB_WORKERS="1",
            WEB_THREADS="4",
            PYTHONUNBUFFERED="1",
            **{f"{s.upper()}_URL": f"http://127.0.0.1:{self.ports[s]}" for s in SERVICES},
        )
        self.env.update(env)
        self.lines: list[str] = []
        self.proc: subprocess.Popen | None = None
        self.pump: threading.Thread | None = None

    def start(self, seconds: float = 300) -> MakeRun:
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "knotenpunkt"), "run"],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.pump = threading.Thread(target=self._pump, daemon=True)
        self.pump.start()
        self.wait_for(self._all_up, "the five web processes of make run", seconds)
        return self

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    def _all_up(self) -> bool:
        for port in self.ports.values():
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code != 200:
                    return False
            except requests.RequestException:
                return False
        return True

    def log(self, last: int = 80) -> str:
        return "".join(self.lines[-last:])

    def wait_for(self, probe, what: str, seconds: float = 90):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"make run ended ({self.proc.returncode}):\n{self.log()}")
            try:
                found = probe()
            except (requests.RequestException, StopIteration, KeyError):
                found = None
            if found:
                return found
            time.sleep(0.5)
        raise AssertionError(f"no {what} within {seconds} s; make run said:\n{self.log()}")

    def mails(self) -> list[email.message.EmailMessage]:
        """Every mail the dev mail sink holds (var/mail/*.eml)."""
        return [
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted((self.var / "mail").glob("*.eml"))
        ]

    def stop(self) -> None:
        """SIGTERM, as Ctrl-C: the supervisor stops the processes, then PostgreSQL."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=90)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.pump.join(timeout=10)
        self.proc.stdout.close()
        shutil.rmtree(self.folder, ignore_errors=True)
