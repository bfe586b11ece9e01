"""make run's supervisor: a crashed process is started again, the others keep running, stop stops all.

Real child processes (the Python interpreter), no fakes; nothing listens anywhere.
"""

from __future__ import annotations

import io
import sys
import threading
import time

import pytest

from knotenpunkt.supervisor import Supervisor, read_procfile


def test_procfile_lines_and_a_clear_error(tmp_path):
    good = tmp_path / "Procfile"
    good.write_text(
        "# comment\nweb: knotenpunkt web membership\n\nworker: knotenpunkt worker voting\n"
    )
    assert read_procfile(good) == [
        ("web", "knotenpunkt web membership"),
        ("worker", "knotenpunkt worker voting"),
    ]
    bad = tmp_path / "Broken"
    bad.write_text("web knotenpunkt web membership\n")
    with pytest.raises(ValueError, match=r"Broken:1: expected 'name: command'"):
        read_procfile(bad)


def test_a_crashed_process_is_started_again_and_stop_stops_all(tmp_path):
    marker = tmp_path / "starts"
    crash = f"{sys.executable} -c \"open('{marker}', 'a').write('x'); raise SystemExit(3)\""
    steady = (
        f"{sys.executable} -u -c \"import time; print('steady up', flush=True); time.sleep(600)\""
    )
    out = io.StringIO()
    sup = Supervisor([("crashy", crash), ("steady", steady)], out=out, grace=5, min_backoff=0.05)
    thread = threading.Thread(target=sup.run, kwargs={"poll": 0.02})
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (not marker.exists() or len(marker.read_text()) < 3):
            time.sleep(0.05)
        assert len(marker.read_text()) >= 3  # started, crashed, started again … by itself
        steady_proc = next(c for c in sup.children if c.name == "steady").proc
        assert steady_proc is not None and steady_proc.poll() is None  # untouched by the crashes
    finally:
        sup.stop()
        thread.join(timeout=20)
    assert not thread.is_alive()
    assert steady_proc.poll() is not None  # stopped with the supervisor
    log = out.getvalue()
    assert "crashy exited with 3; starting it again" in log
    assert " steady | steady up" in log  # the output, prefixed with the process's name
    assert log.rstrip().endswith("all processes stopped")
