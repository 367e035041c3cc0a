"""nginx (Debian) in front of the server replicas: load balancing, failover and caching.

Run as a non-root user (``www-data`` when started as root) with its own prefix folder
(config, pid, logs, cache). Failover: ``proxy_next_upstream error timeout http_502 http_503``
retries an idempotent request on the other replica (a killed replica costs no failed
request); a replica whose ``/health`` says 503 is marked ``down`` in ``upstream.conf`` by the
health watcher (:mod:`opengeodata.cluster.health`) and nginx is reloaded gracefully.

Caching (the tile and content URLs the server writes carry the data version, ``?v=``, see
:mod:`opengeodata.versioned`):

- versioned vector/map/terrain tiles, coverages and 3D Tiles contents (``v`` given): cached
  as long as the server says, a year (``immutable``): the URL names the version, its bytes
  never change. A URL naming another version than the live one is answered with a
  ``no-store`` redirect to the live one, which nginx never caches; a stale URL thus never
  gets current bytes stored under it.
- the same paths without ``v`` (hand-written URLs): fresh for ``CACHE_FRESH`` seconds, then
  nginx revalidates with ``If-None-Match`` (the ETag carries the data version: an unchanged
  tile costs a 304, a published one is fetched anew).
- kept versions' downloads (``/downloads/{id}/versions/...``, the map preview's PMTiles)
  are cached in 1 MB slices.

``X-Cache`` (HIT/MISS/REVALIDATED/...) and ``X-Upstream`` (the replica that answered) are
added.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from opengeodata.cluster.procs import (
    ClusterStartError,
    give_to,
    pid_alive,
    read_pid,
    service_user,
    spawn,
    stop_pid,
    tail,
    wait_port,
)

CACHE_FRESH = "1s"
TILE_PATHS = r"^/(collections/[^/]+/)?tiles/[^/]+/\d+/\d+/\d+$"
#: also cached: coverages and terrain tiles of raster collections
DATA_PATHS = TILE_PATHS + r"|^/collections/[^/]+/(coverage|terrain/\d+/\d+/\d+)$"
#: the internal prefix a versioned request is rewritten to (clients cannot ask for it)
VERSIONED = "/__versioned"

CONFIG = """\
worker_processes {workers};
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}

http {{
    access_log {access_log};
    client_body_temp_path {root}/tmp/body;
    proxy_temp_path {root}/tmp/proxy;
    fastcgi_temp_path {root}/tmp/fastcgi;
    uwsgi_temp_path {root}/tmp/uwsgi;
    scgi_temp_path {root}/tmp/scgi;
    types {{ application/vnd.mapbox-vector-tile mvt; application/octet-stream bin; }}
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;

    proxy_cache_path {root}/cache levels=1:2 keys_zone=opengeodata:16m max_size=2g
                     inactive=1h use_temp_path=off;

    # one cache entry for every client that accepts gzip, one for those that do not
    map $http_accept_encoding $ogd_gzip {{ default ""; "~*gzip" "gzip"; }}

    include {root}/upstream.conf;

    server {{
        listen 127.0.0.1:{port};
        server_name localhost;

        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_connect_timeout 1s;
        proxy_read_timeout 60s;
        proxy_next_upstream error timeout http_502 http_503 http_504;
        proxy_next_upstream_tries 3;
        proxy_next_upstream_timeout 10s;
        add_header X-Upstream $upstream_addr always;

        location / {{
            proxy_pass http://opengeodata;
        }}

        # map tiles, terrain tiles and coverages: with the data version (v=) cached for as
        # long as the answer says (immutable); without it revalidated after {fresh}
        location ~ "{data_paths}" {{
            if ($arg_v != "") {{ rewrite ^ {versioned}$uri last; }}
            proxy_pass http://opengeodata;
            proxy_set_header Accept-Encoding $ogd_gzip;
            proxy_cache opengeodata;
            proxy_cache_key "$request_uri|$ogd_gzip|$http_accept";
            proxy_ignore_headers Cache-Control Expires Vary;
            proxy_cache_valid 200 204 {fresh};
            proxy_cache_valid 404 {fresh};
            proxy_cache_revalidate on;
            proxy_cache_lock on;
            proxy_cache_use_stale error timeout updating http_502 http_503;
            proxy_cache_background_update off;
            add_header X-Cache $upstream_cache_status always;
            add_header X-Upstream $upstream_addr always;
        }}

        # 3D Tiles contents name their version too (the tileset itself does not: uncached)
        location ~ "^/collections/[^/]+/3dtiles/" {{
            if ($arg_v != "") {{ rewrite ^ {versioned}$uri last; }}
            proxy_pass http://opengeodata;
        }}

        # a versioned URL: its answer never changes. The server's Cache-Control decides:
        # "immutable, max-age=31536000" is kept a year; the "no-store" redirect of a URL
        # naming another version than the live one is never stored
        location ^~ {versioned}/ {{
            internal;
            rewrite ^{versioned}(/.*)$ $1 break;
            proxy_pass http://opengeodata;
            proxy_set_header Accept-Encoding $ogd_gzip;
            proxy_cache opengeodata;
            proxy_cache_key "$request_uri|$ogd_gzip|$http_accept";
            proxy_ignore_headers Vary Set-Cookie;
            proxy_cache_lock on;
            proxy_cache_use_stale error timeout updating http_502 http_503;
            add_header X-Cache $upstream_cache_status always;
            add_header X-Upstream $upstream_addr always;
        }}

        # a kept version's files never change: the URL carries the version
        location ~ "^/downloads/[^/]+/versions/" {{
            proxy_pass http://opengeodata;
            proxy_cache opengeodata;
            slice 1m;
            proxy_cache_key "$request_uri|$slice_range";
            proxy_set_header Range $slice_range;
            proxy_cache_valid 200 206 1d;
            add_header X-Cache $upstream_cache_status always;
            add_header X-Upstream $upstream_addr always;
        }}

        # the benchmark's floor: the same bytes as a static file
        location /__static/ {{
            alias {root}/static/;
            default_type application/vnd.mapbox-vector-tile;
        }}
    }}
}}
"""


def upstream_conf(ports: list[int], down: set[int] | None = None) -> str:
    """The upstream block; replicas in ``down`` are marked down (never all of them)."""
    down = down or set()
    if down >= set(ports):
        down = set()  # all unhealthy: keep trying them all rather than answer 502 at once
    lines = ["upstream opengeodata {"]
    for port in ports:
        flag = " down" if port in down else " max_fails=1 fail_timeout=2s"
        lines.append(f"    server 127.0.0.1:{port}{flag};")
    lines += ["    keepalive 32;", "}", ""]
    return "\n".join(lines)


def write_config(root: Path, port: int, replicas: list[int], *, workers: int = 2,
                 access_log: bool = False) -> Path:
    """Write ``nginx.conf`` and ``upstream.conf`` into ``root``; returns the config path."""
    for sub in ("cache", "static", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    conf = root / "nginx.conf"
    conf.write_text(CONFIG.format(
        root=root, port=port, workers=workers, data_paths=DATA_PATHS, fresh=CACHE_FRESH,
        versioned=VERSIONED,
        access_log=f"{root}/access.log" if access_log else "off"))
    (root / "upstream.conf").write_text(upstream_conf(replicas))
    return conf


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if found is None:
        raise ClusterStartError("nginx not found: run `make cluster-deps` as root "
                                "(Debian package nginx)")
    return found


def start(root: Path, port: int, replicas: list[int], *, workers: int = 2,
          access_log: bool = False) -> int:
    """Start nginx on 127.0.0.1:``port`` in front of ``replicas``; returns its master pid."""
    root = root.resolve()
    stop(root)
    conf = write_config(root, port, replicas, workers=workers, access_log=access_log)
    user = service_user("www-data")
    give_to(user, root)
    log = root / "nginx.log"
    check = [_nginx(), "-t", "-q", "-p", str(root), "-c", str(conf)]
    test = subprocess.run(["runuser", "-u", user, "--", *check] if user else check,
                          capture_output=True, text=True, check=False)
    if test.returncode != 0:
        raise ClusterStartError(f"nginx config {conf} is invalid: {test.stderr.strip()}")
    proc = spawn([_nginx(), "-p", str(root), "-c", str(conf), "-g", "daemon off;"], log,
                 user=user)
    (root / "master.pid").write_text(str(proc.pid))
    wait_port(port, "nginx", log, proc)
    return proc.pid


def set_down(root: Path, replicas: list[int], down: set[int]) -> None:
    """Mark ``down`` replicas in ``upstream.conf`` and reload nginx gracefully."""
    text = upstream_conf(replicas, down)
    path = root / "upstream.conf"
    if path.read_text() == text:
        return
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(path)
    pid = read_pid(root / "nginx.pid")
    if pid is None:
        raise ClusterStartError(f"nginx is not running ({root / 'nginx.pid'} missing)")
    import os
    import signal

    os.kill(pid, signal.SIGHUP)


def stop(root: Path) -> None:
    """Stop the nginx of ``root``."""
    pid = read_pid(root / "master.pid")
    if pid is not None and pid_alive(pid):
        stop_pid(pid)
    (root / "master.pid").unlink(missing_ok=True)


def log_tail(root: Path) -> str:
    """The end of nginx's error log, for error messages."""
    return tail(root / "error.log")
