"""Servers started by the harness: their process trees, memory and CPU time from /proc, and clean stops.

Every server runs in its own session (process group), so stopping it reaches gunicorn's workers too; all live
servers are stopped when the harness exits, on errors and on SIGINT/SIGTERM alike."""
import atexit
import os
import signal
import subprocess
import time

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_live = []


def _children_map():
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def _status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid):
    """User + system CPU seconds of a process (all its threads), 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


class Server:
    """One server process tree. `measured` picks the processes whose memory counts: the whole tree, or only the
    workers (children of the root) for a pre-fork server like gunicorn."""

    def __init__(self, name, argv, env, cwd, log_path, workers_only=False):
        self.name, self.log_path, self.workers_only = name, log_path, workers_only
        self._log = open(log_path, "ab")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        _live.append(self)

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def tree(self):
        """The root and all its descendants."""
        children, pids, todo = _children_map(), [], [self.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            todo.extend(children.get(pid, []))
        return pids

    def measured(self):
        tree = self.tree()
        return tree[1:] if self.workers_only and len(tree) > 1 else tree

    def rss_mb(self):
        return sum(_status_kb(p, "VmRSS") for p in self.measured()) / 1024

    def unmeasured_rss_mb(self):
        """RSS of the tree's processes that `measured` leaves out (gunicorn's master)."""
        left_out = set(self.tree()) - set(self.measured())
        return sum(_status_kb(p, "VmRSS") for p in left_out) / 1024

    def peak_rss_mb(self):
        """Sum of each measured process's own peak resident set (VmHWM)."""
        return sum(_status_kb(p, "VmHWM") for p in self.measured()) / 1024

    def cpu_seconds(self):
        return sum(cpu_seconds(p) for p in self.tree())

    def log_tail(self, lines=30):
        self._log.flush()
        with open(self.log_path, "rb") as f:
            return b"\n".join(f.read().splitlines()[-lines:]).decode("utf-8", "replace")

    def quiesce(self, idle_fraction=0.05, window=0.25, limit=60.0):
        """Waits until the tree uses less than idle_fraction of a core over a window (work still queued from a
        finished load phase drains first), at most `limit` seconds."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            before = self.cpu_seconds()
            time.sleep(window)
            if self.cpu_seconds() - before < idle_fraction * window:
                return True
        return False

    def stop(self, grace=10.0):
        """SIGTERM to the process group (graceful for gunicorn and ASP.NET), SIGKILL after `grace` seconds."""
        if self in _live:
            _live.remove(self)
        try:
            os.killpg(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.pid, signal.SIGKILL)  # also any worker that outlived its master
        except ProcessLookupError:
            pass
        self.proc.wait()
        self._log.close()


def stop_all():
    for server in list(_live):
        server.stop(grace=5.0)


def _on_signal(signum, _frame):
    stop_all()
    raise SystemExit(128 + signum)


atexit.register(stop_all)
signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)
