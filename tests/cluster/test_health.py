"""PostgreSQL replica stopped: ``/health`` says 503 on the server replica that reads from it,
nginx stops sending it traffic (and no request fails); back when the database is back."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from opengeodata.cluster import run
from tests.cluster.test_failover import get

ITEMS = "/collections/stadtbezirke/items?limit=1&f=json"  # never cached: always a replica


def _wait(predicate: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {what}")


def test_health_of_the_cluster_replicas(ogd_cluster: run.ClusterInfo) -> None:
    for port in ogd_cluster.replica_ports:
        status, headers, body = get(port, "/health")
        doc = json.loads(body)
        assert status == 200 and doc["status"] == "ok"
        assert doc["features_backend"] == "postgis"
        assert doc["object_store"] == ogd_cluster.env["OPENGEODATA_OBJECT_STORE"]
        assert {"stadtbezirke", "dop20"} <= set(doc["datasets"])
        assert headers["cache-control"] == "no-store"


def test_database_replica_down_takes_its_server_out(ogd_cluster: run.ClusterInfo) -> None:
    from opengeodata.postgis import cluster as pg

    info = ogd_cluster
    on_replica, on_primary = info.replica_ports  # see the ogd_cluster fixture
    pg_root = Path(info.root) / "pg"
    pg.stop_replica(pg_root)
    try:
        _wait(lambda: get(on_replica, "/health")[0] == 503, 15, "replica 1 /health 503")
        doc = json.loads(get(on_replica, "/health")[2])
        assert doc["status"] == "unavailable" and "error" in doc["database"]
        assert get(on_primary, "/health")[0] == 200
        upstreams: list[str] = []

        def only_primary_reader() -> bool:
            status, headers, _ = get(info.nginx_port, ITEMS)
            assert status == 200, status  # failover: a 503 of replica 1 is retried
            upstreams.append(headers.get("x-upstream", ""))
            return upstreams[-20:] == [f"127.0.0.1:{on_primary}"] * 20
        _wait(only_primary_reader, 20, "nginx sends everything to replica 2")
    finally:
        pg.start_replica(pg_root)
    _wait(lambda: get(on_replica, "/health")[0] == 200, 30, "replica 1 healthy again")
    seen: set[str] = set()

    def both_again() -> bool:
        status, headers, _ = get(info.nginx_port, ITEMS)
        assert status == 200
        seen.add(headers.get("x-upstream", ""))
        return f"127.0.0.1:{on_replica}" in seen
    _wait(both_again, 20, "nginx sends traffic to replica 1 again")
