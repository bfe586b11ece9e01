"""What the benchmark scripts share."""

from __future__ import annotations


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of the values."""
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far; 0 when it is gone."""
    import os

    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def container_cpu(container_id: str) -> float:
    """CPU seconds a Docker container's processes have used so far (cgroup v1 or v2)."""
    from pathlib import Path

    for path in (
        Path(f"/sys/fs/cgroup/cpuacct/docker/{container_id}/cpuacct.usage"),
        Path(f"/sys/fs/cgroup/cpu,cpuacct/docker/{container_id}/cpuacct.usage"),
    ):
        if path.exists():
            return int(path.read_text()) / 1e9
    for path in (
        Path(f"/sys/fs/cgroup/system.slice/docker-{container_id}.scope/cpu.stat"),
        Path(f"/sys/fs/cgroup/docker/{container_id}/cpu.stat"),
    ):
        if path.exists():
            for line in path.read_text().splitlines():
                if line.startswith("usage_usec"):
                    return int(line.split()[1]) / 1e6
    return float("nan")


class CpuMeter:
    """CPU seconds used between start() and stop() by some processes (their ids, read again
    at each reading) and containers; `per(n)` gives milliseconds per unit of work."""

    def __init__(self, pids, containers=()):
        self.pids, self.containers = pids, list(containers)
        self.used: dict[str, float] = {}

    def _read(self) -> dict[str, float]:
        out = {"web": sum(process_cpu(p) for p in self.pids())}
        for name, cid in self.containers:
            out[name] = container_cpu(cid)
        return out

    def start(self) -> CpuMeter:
        self._start = self._read()
        return self

    def stop(self) -> dict[str, float]:
        end = self._read()
        self.used = {k: end[k] - self._start[k] for k in end}
        return self.used

    def per(self, n: int) -> dict[str, float]:
        return {k: v * 1000 / n for k, v in self.used.items()} if n else {}


def start_web_process(service: str, port: int, env: dict, workers: int, threads: int):
    """`knotenpunkt web <service>` as production runs it (gunicorn from this environment);
    returns (process, seconds until /healthz answered); raises RuntimeError when it ends or
    does not answer within 120 s."""
    import subprocess
    import sys
    import time
    from pathlib import Path

    import requests

    root = Path(__file__).resolve().parent.parent
    argv = [str(Path(sys.executable).parent / "knotenpunkt"), "web", service, "--port", str(port)]
    argv += ["--workers", str(workers), "--threads", str(threads)]
    proc = subprocess.Popen(
        argv,
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    started = time.monotonic()
    while time.monotonic() - started < 120:
        if proc.poll() is not None:
            raise RuntimeError(f"{service}: the web process ended with {proc.returncode}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc, time.monotonic() - started
        except requests.RequestException:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{service}: the web process did not answer /healthz within 120 s")
