"""Helpers for benchmarks: timing, peak RSS of child processes, medians."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path


def timed(func: Callable[[], object], repeat: int = 3) -> float:
    """Median wall time of ``func`` over ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


_WRAPPER = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "w = time.perf_counter() - t\n"
    "sys.stderr.write(p.stderr.decode(errors='replace')[-2000:])\n"
    "print(w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode)\n"
)


def run_measured(cmd: Sequence[str]) -> tuple[float, int]:
    """Run a command; return (wall seconds, peak RSS in MiB) of that command alone."""
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, *cmd], capture_output=True,
                          text=True, check=False)
    wall, peak_kib, code = proc.stdout.split()
    if int(code) != 0:
        raise RuntimeError(f"{cmd[0]} failed ({code}): {proc.stderr}")
    return float(wall), int(peak_kib) // 1024


def run_measured_cpu(cmd: Sequence[str]) -> tuple[float, float, int]:
    """Run a command; return (wall seconds, CPU seconds user+system, peak RSS in MiB)."""
    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    cpu = children_cpu()
    wall, rss = run_measured(cmd)
    return wall, children_cpu() - cpu, rss


def self_peak_rss_mib() -> int:
    """Peak RSS of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, CPU ticks user+system) of a process, None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # after "pid (comm)"
    return int(fields[1]), int(fields[11]) + int(fields[12])


def tree_cpu_seconds(roots: Sequence[int]) -> float:
    """CPU seconds (user + system) used so far by ``roots`` and all their live descendants
    (Linux /proc; server workers, PostgreSQL backends)."""
    stats: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (st := _stat(int(entry))) is not None:
            stats[int(entry)] = st
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [r for r in roots if r in stats]
    while todo:
        pid = todo.pop()
        total += stats[pid][1]
        todo.extend(children.get(pid, []))
    return total / os.sysconf("SC_CLK_TCK")
