"""OpenStack Swift all-in-one (Debian packages) with the S3 API (s3api + tempauth).

Everything lives in one folder ``root``: its own ``swift.conf`` (``swift_dir``), the three
rings built with ``swift-ring-builder`` (one device, one replica), one storage device folder
on the local filesystem (``mount_check = false``) and the four servers (proxy, account,
container, object), each run in the foreground as a non-root user (``swift`` when started as
root) and listening on 127.0.0.1 only. The S3 credentials are a tempauth user:
access key ``opengeodata:publisher``, a random secret kept in ``swift.json``.

Debian's ``memcached`` (64 MB, 127.0.0.1 only, as the same user) backs the proxy's ``cache``
middleware: account and container info, tempauth's tokens and s3api's lookups are then
remembered between requests instead of asking the account and container servers every time.
Without the package the proxy still works (each cache lookup fails fast and is skipped).

API::

    sw = start(root)      # -> SwiftService (endpoint, access_key, secret_key, region)
    create_bucket(sw, "opengeodata")
    stop(root)
"""

from __future__ import annotations

import json
import secrets
import subprocess
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from opengeodata.cluster.procs import (
    ClusterStartError,
    free_port,
    give_to,
    pid_alive,
    port_open,
    read_pid,
    service_user,
    spawn,
    stop_pid,
    tail,
    wait_port,
)

SERVERS = ("account", "container", "object", "proxy")
MEMCACHED_MB = 64
STATE = "swift.json"
DEVICE = "d1"
REGION = "us-east-1"
ACCOUNT, USER = "opengeodata", "publisher"


@dataclass(frozen=True)
class SwiftService:
    """A running Swift: S3 endpoint and credentials."""

    root: str
    proxy_port: int
    account_port: int
    container_port: int
    object_port: int
    secret_key: str
    access_key: str = f"{ACCOUNT}:{USER}"
    region: str = REGION
    #: memcached of the proxy's cache middleware (0: not installed, caching off)
    memcached_port: int = 0

    @property
    def endpoint(self) -> str:
        """The S3 endpoint URL (``AWS_ENDPOINT_URL``)."""
        return f"http://127.0.0.1:{self.proxy_port}"

    def env(self) -> dict[str, str]:
        """The standard AWS_* variables that point an S3 client at this Swift."""
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": self.access_key,
                "AWS_SECRET_ACCESS_KEY": self.secret_key, "AWS_DEFAULT_REGION": self.region}


def _conf(sw: SwiftService, root: Path, user: str) -> dict[str, str]:
    common = (f"[DEFAULT]\nbind_ip = 127.0.0.1\nworkers = 1\nuser = {user}\n"
              f"swift_dir = {root}\ndevices = {root / 'node'}\nmount_check = false\n"
              "log_level = WARNING\n")
    backend = ("[pipeline:main]\npipeline = {name}-server\n\n"
               "[app:{name}-server]\nuse = egg:swift#{name}\n")
    confs = {
        name: common + f"bind_port = {getattr(sw, name + '_port')}\n\n"
        + backend.format(name=name)
        for name in ("account", "container", "object")
    }
    confs["object"] += "\n[object-replicator]\n\n[object-updater]\n\n[object-auditor]\n"
    confs["container"] += "\n[container-replicator]\n\n[container-updater]\n"
    confs["account"] += "\n[account-replicator]\n"
    confs["proxy"] = common + f"bind_port = {sw.proxy_port}\n\n" + (
        "[pipeline:main]\n"
        "pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats "
        "s3api tempauth copy slo dlo proxy-logging proxy-server\n\n"
        "[app:proxy-server]\nuse = egg:swift#proxy\naccount_autocreate = true\n"
        "conn_timeout = 2\nnode_timeout = 20\n\n"
        "[filter:s3api]\nuse = egg:swift#s3api\n"
        f"location = {sw.region}\ns3_acl = false\ncheck_bucket_owner = false\n"
        "max_upload_part_num = 1000\n\n"
        "[filter:tempauth]\nuse = egg:swift#tempauth\n"
        f"user_{ACCOUNT}_{USER} = {sw.secret_key} .admin\n\n"
        "[filter:catch_errors]\nuse = egg:swift#catch_errors\n\n"
        "[filter:gatekeeper]\nuse = egg:swift#gatekeeper\n\n"
        "[filter:healthcheck]\nuse = egg:swift#healthcheck\n\n"
        "[filter:proxy-logging]\nuse = egg:swift#proxy_logging\n\n"
        "[filter:cache]\nuse = egg:swift#memcache\n"
        f"memcache_servers = 127.0.0.1:{sw.memcached_port or 1}\n\n"
        "[filter:listing_formats]\nuse = egg:swift#listing_formats\n\n"
        "[filter:copy]\nuse = egg:swift#copy\n\n"
        "[filter:slo]\nuse = egg:swift#slo\n\n"
        "[filter:dlo]\nuse = egg:swift#dlo\n"
    )
    return confs


SWIFT_CONF = """[swift-hash]
swift_hash_path_suffix = {suffix}
swift_hash_path_prefix = {prefix}

[storage-policy:0]
name = Policy-0
default = yes
"""


def _build_rings(sw: SwiftService, root: Path) -> None:
    for name in ("account", "container", "object"):
        builder = str(root / f"{name}.builder")
        port = getattr(sw, f"{name}_port")
        for args in (["create", "8", "1", "1"],
                     ["add", f"r1z1-127.0.0.1:{port}/{DEVICE}", "100"],
                     ["rebalance"]):
            proc = subprocess.run(["swift-ring-builder", builder, *args],
                                  capture_output=True, text=True, check=False)
            # rebalance exits 1 with a warning on a one-device ring; the ring file decides
            if proc.returncode not in (0, 1):
                raise ClusterStartError(
                    f"swift-ring-builder {name} {args[0]} failed: {proc.stdout}{proc.stderr}")
        if not (root / f"{name}.ring.gz").is_file():
            raise ClusterStartError(f"swift-ring-builder wrote no {name}.ring.gz in {root}")


def _load(root: Path) -> SwiftService | None:
    try:
        data = json.loads((root / STATE).read_text())
        return SwiftService(**data)
    except (OSError, ValueError, TypeError):
        return None


def running(root: Path) -> SwiftService | None:
    """The Swift of ``root`` if all its servers run, else None."""
    sw = _load(root)
    if sw is None:
        return None
    for name in (*SERVERS, *(("memcached",) if sw.memcached_port else ())):
        pid = read_pid(root / "run" / f"{name}.pid")
        if pid is None or not pid_alive(pid):
            return None
    return sw


def start(root: Path) -> SwiftService:
    """Start (or set up and start) Swift in ``root``; returns once S3 answers."""
    if not _which("swift-proxy-server"):
        raise ClusterStartError("swift-proxy-server not found: run `make cluster-deps` as root "
                                "(Debian packages swift-proxy swift-object swift-account "
                                "swift-container)")
    root = root.resolve()
    if (sw := running(root)) is not None:
        return sw
    root.mkdir(parents=True, exist_ok=True)
    sw = _load(root)
    user = service_user("swift")
    if sw is None:
        sw = SwiftService(str(root), free_port(), free_port(), free_port(), free_port(),
                          secrets.token_urlsafe(24))
        (root / "swift.conf").write_text(SWIFT_CONF.format(
            suffix=secrets.token_hex(8), prefix=secrets.token_hex(8)))
        _build_rings(sw, root)
    if not sw.memcached_port and _memcached() is not None:  # also for a Swift set up before
        sw = replace(sw, memcached_port=free_port())
    (root / STATE).write_text(json.dumps(asdict(sw), indent=2))
    (root / STATE).chmod(0o600)
    (root / "node" / DEVICE).mkdir(parents=True, exist_ok=True)
    (root / "run").mkdir(exist_ok=True)
    (root / "log").mkdir(exist_ok=True)
    run_as = user or _whoami()
    for name, text in _conf(sw, root, run_as).items():
        (root / f"{name}-server.conf").write_text(text)
    give_to(user, root / "node")
    if user is not None:
        for name in ("swift.conf", "account.ring.gz", "container.ring.gz", "object.ring.gz",
                     *(f"{n}-server.conf" for n in SERVERS)):
            give_to(user, root / name)
    procs = {}
    if sw.memcached_port and (binary := _memcached()) is not None:
        if port_open(sw.memcached_port):
            raise ClusterStartError(f"memcached port 127.0.0.1:{sw.memcached_port} is taken by "
                                    f"another program; remove {root} to pick new ports")
        log = root / "log" / "memcached.log"
        proc = spawn([binary, "-l", "127.0.0.1", "-p", str(sw.memcached_port), "-U", "0",
                      "-m", str(MEMCACHED_MB), "-t", "1"], log, user=user)
        (root / "run" / "memcached.pid").write_text(str(proc.pid))
        procs["memcached"] = (proc, sw.memcached_port, log)
    for name in SERVERS:
        port = getattr(sw, f"{name}_port")
        if port_open(port):
            raise ClusterStartError(f"Swift {name} port 127.0.0.1:{port} is taken by another "
                                    f"program; remove {root} to pick new ports")
        log = root / "log" / f"{name}.log"
        proc = spawn([f"swift-{name}-server", str(root / f"{name}-server.conf")], log, user=user)
        (root / "run" / f"{name}.pid").write_text(str(proc.pid))
        procs[name] = (proc, port, log)
    for name, (proc, port, log) in procs.items():
        wait_port(port, f"Swift {name} server", log, proc)
    _wait_s3(sw)
    return sw


def _wait_s3(sw: SwiftService, timeout: float = 30.0) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{sw.endpoint}/healthcheck", timeout=2) as resp:  # noqa: S310
                if resp.status == 200:
                    return
        except (OSError, urllib.error.URLError) as exc:
            last = str(exc)
        time.sleep(0.2)
    raise ClusterStartError(f"Swift proxy at {sw.endpoint} is not healthy: {last}; "
                            f"{tail(Path(sw.root) / 'log' / 'proxy.log')}")


def create_bucket(sw: SwiftService, bucket: str) -> None:
    """Create ``bucket`` through the S3 API (fine if it exists)."""
    import boto3
    from botocore.exceptions import ClientError

    client = boto3.client("s3", endpoint_url=sw.endpoint, aws_access_key_id=sw.access_key,
                          aws_secret_access_key=sw.secret_key, region_name=sw.region)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.create_bucket(Bucket=bucket)
            return
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                return
            if time.monotonic() > deadline:
                raise ClusterStartError(f"cannot create bucket {bucket!r} in Swift: {exc}") from exc
            time.sleep(0.3)  # account/container servers may still be settling


def stop(root: Path) -> None:
    """Stop every Swift server of ``root`` (keeps its data)."""
    for name in (*reversed(SERVERS), "memcached"):
        pid_file = root / "run" / f"{name}.pid"
        pid = read_pid(pid_file)
        if pid is not None and pid_alive(pid):
            stop_pid(pid)
        pid_file.unlink(missing_ok=True)


def _memcached() -> str | None:
    """The memcached binary (Debian package memcached), or None."""
    import shutil

    return shutil.which("memcached") or (
        "/usr/bin/memcached" if Path("/usr/bin/memcached").exists() else None)


def _which(cmd: str) -> bool:
    import shutil

    return shutil.which(cmd) is not None


def _whoami() -> str:
    import getpass

    return getpass.getuser()
