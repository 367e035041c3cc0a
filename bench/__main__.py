"""Run the benchmarks: every ``bench/bench_*.py`` module with a ``run(workdir) -> dict``.

Usage: ``python -m bench [NAME ...]`` (names without the ``bench_`` prefix). Results are printed
and written to ``bench/results/<name>.json``. Each benchmark compares side by side in one run and
reports ratios and medians (the machines are shared and noisy).
"""

from __future__ import annotations

import importlib
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    """Run the named benchmarks (default: all) and write their results."""
    names = argv or sorted(p.stem[len("bench_"):] for p in HERE.glob("bench_*.py"))
    results_dir = HERE / "results"
    results_dir.mkdir(exist_ok=True)
    failed = 0
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"== {name}: {(module.__doc__ or '').strip().splitlines()[0]}", flush=True)
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
            try:
                result = module.run(Path(tmp))
            except Exception as exc:  # report and go on with the next benchmark
                failed += 1
                print(f"   FAILED: {exc!r}", flush=True)
                continue
        result["seconds_total"] = round(time.perf_counter() - started, 1)
        (results_dir / f"{name}.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
