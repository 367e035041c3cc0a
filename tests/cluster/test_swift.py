"""Swift's proxy keeps account/container info and auth lookups in memcached (Debian's)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from opengeodata.cluster import run, swift
from opengeodata.objectstore import ObjectStore


def _stats(port: int) -> dict[str, int]:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"stats\r\n")
        data = b""
        while not data.endswith(b"END\r\n"):
            chunk = sock.recv(65536)
            assert chunk, "memcached closed the connection"
            data += chunk
    out = {}
    for line in data.decode().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "STAT" and parts[2].isdigit():
            out[parts[1]] = int(parts[2])
    return out


def test_swift_proxy_caches_in_memcached(ogd_cluster: run.ClusterInfo) -> None:
    sw = swift.running(Path(ogd_cluster.root) / "swift")
    assert sw is not None
    if not sw.memcached_port:
        pytest.skip("memcached is not installed (Debian package memcached: make cluster-deps)")
    before = _stats(sw.memcached_port)
    import boto3

    client = boto3.client("s3", endpoint_url=sw.endpoint, aws_access_key_id=sw.access_key,
                          aws_secret_access_key=sw.secret_key, region_name=sw.region)
    objects = ObjectStore(client, run.BUCKET, f"{run.PREFIX}/", "s3://x", sw.endpoint,
                          sw.region)
    for _ in range(5):
        assert objects.listing("live/")
    after = _stats(sw.memcached_port)
    assert after["curr_items"] > 0, after
    assert after["get_hits"] - before["get_hits"] >= 5, (before, after)
    assert (Path(sw.root) / "proxy-server.conf").read_text().count(
        f"memcache_servers = 127.0.0.1:{sw.memcached_port}") == 1
