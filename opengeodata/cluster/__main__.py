"""``python -m opengeodata.cluster start|stop|watch ROOT`` (``make cluster``, ``cluster-stop``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from opengeodata.errors import OpenGeoDataError


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(prog="python -m opengeodata.cluster")
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="start Swift, PostgreSQL, two replicas and nginx")
    start.add_argument("root", type=Path, nargs="?", default=Path("data/cluster"))
    start.add_argument("--port", type=int, default=8080, help="nginx port (127.0.0.1)")
    start.add_argument("--workers", type=int, default=1, help="gunicorn workers per replica")
    start.add_argument("--dataset", action="append", default=None,
                       help="publish only this dataset (repeatable; default: all)")
    stop = sub.add_parser("stop", help="stop every part (data kept)")
    stop.add_argument("root", type=Path, nargs="?", default=Path("data/cluster"))
    watch = sub.add_parser("watch", help="the health watcher (started by start)")
    watch.add_argument("root", type=Path)
    args = parser.parse_args(argv)
    from opengeodata.cluster import run

    try:
        if args.command == "start":
            run.start(args.root, datasets=args.dataset, nginx_port=args.port,
                      workers=args.workers, echo=True)
        elif args.command == "stop":
            run.stop(args.root)
            print(f"cluster: stopped ({args.root})")
        else:
            from opengeodata.cluster.health import watch as run_watch

            info = run.load(args.root.resolve())
            run_watch(Path(info.root) / "nginx", info.replica_ports)
    except OpenGeoDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
