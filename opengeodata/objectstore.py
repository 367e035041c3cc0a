"""S3-compatible object storage for the store's files (``OPENGEODATA_OBJECT_STORE``).

``s3://bucket/prefix`` names where published versions live; endpoint and keys come from the
standard ``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` and
``AWS_DEFAULT_REGION`` variables (any S3 engine: OpenStack Swift's s3api, Ceph RGW, AWS).
:func:`connect` checks the settings at start (the bucket must answer) and fails with a
:class:`SettingsError` naming the variable. Keys are relative to the prefix.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opengeodata.errors import NotFoundError, SettingsError, StorageError

VARIABLE = "OPENGEODATA_OBJECT_STORE"
_URL = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.\-_]{1,62})(?:/(?P<prefix>[^\s]*))?$")
CHUNK = 1 << 20


@dataclass(frozen=True)
class ObjectInfo:
    """One listed object: key relative to the prefix, size and the engine's ETag."""

    key: str
    size: int
    etag: str


def parse_url(url: str) -> tuple[str, str]:
    """(bucket, prefix with trailing '/' or '') of an ``s3://bucket/prefix`` URL."""
    match = _URL.fullmatch(url.strip())
    if match is None:
        raise SettingsError(f"{VARIABLE}={url!r}: expected s3://bucket/prefix (bucket: lower-case "
                            "letters, digits, '.', '-')")
    prefix = (match["prefix"] or "").strip("/")
    return match["bucket"], f"{prefix}/" if prefix else ""


class ObjectStore:
    """A bucket and key prefix with the few S3 operations the store needs."""

    def __init__(self, client: Any, bucket: str, prefix: str, url: str,
                 endpoint: str | None, region: str) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.url = url
        self.endpoint = endpoint
        self.region = region

    def child(self, name: str) -> ObjectStore:
        """The same bucket with ``name/`` appended to the prefix."""
        return ObjectStore(self.client, self.bucket, f"{self.prefix}{name.strip('/')}/",
                           f"{self.url.rstrip('/')}/{name}", self.endpoint, self.region)

    def _key(self, key: str) -> str:
        return self.prefix + key

    # -- reading -----------------------------------------------------------------------
    def get(self, key: str) -> bytes | None:
        """The whole object, or None if it does not exist."""
        try:
            return bytes(self.client.get_object(Bucket=self.bucket, Key=self._key(key))
                         ["Body"].read())
        except Exception as exc:
            if _status(exc) == 404:
                return None
            raise _failed(self, "read", key, exc) from exc

    def read(self, key: str, offset: int, length: int) -> bytes:
        """``length`` bytes at ``offset`` with one range request."""
        if length <= 0:
            return b""
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key),
                                          Range=f"bytes={offset}-{offset + length - 1}")["Body"]
            return bytes(body.read())
        except Exception as exc:
            if _status(exc) == 404:
                raise NotFoundError(f"object {self.url}/{key} does not exist") from None
            raise _failed(self, "read", key, exc) from exc

    def stream(self, key: str, start: int, end: int) -> Iterator[bytes]:
        """The bytes ``start`` to ``end`` (exclusive), streamed in chunks from one request."""
        if end <= start:
            return
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key),
                                          Range=f"bytes={start}-{end - 1}")["Body"]
        except Exception as exc:
            raise _failed(self, "read", key, exc) from exc
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()

    def listing(self, prefix: str) -> list[ObjectInfo]:
        """Every object under ``prefix`` (relative keys), in key order."""
        out: list[ObjectInfo] = []
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self._key(prefix)):
                for item in page.get("Contents", []):
                    out.append(ObjectInfo(item["Key"][len(self.prefix):], int(item["Size"]),
                                          str(item.get("ETag", ""))))
        except Exception as exc:
            raise _failed(self, "list", prefix, exc) from exc
        return out

    # -- writing -----------------------------------------------------------------------
    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        """Write a small object in one request."""
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data,
                                   ContentType=content_type)
        except Exception as exc:
            raise _failed(self, "write", key, exc) from exc

    def upload(self, key: str, path: Path, content_type: str) -> None:
        """Upload a file (multipart for big files) and check its size arrived complete."""
        try:
            self.client.upload_file(str(path), self.bucket, self._key(key),
                                    ExtraArgs={"ContentType": content_type})
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except Exception as exc:
            raise _failed(self, "upload", key, exc) from exc
        if int(head["ContentLength"]) != path.stat().st_size:
            raise StorageError(f"object store {self.url}: {key} arrived with "
                               f"{head['ContentLength']} of {path.stat().st_size} bytes")

    def delete(self, keys: list[str]) -> None:
        """Delete objects one by one (missing ones are fine; Swift's multi-delete wants a
        Content-MD5 that current botocore no longer sends)."""
        for key in keys:
            try:
                self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
            except Exception as exc:
                if _status(exc) != 404:
                    raise _failed(self, "delete", key, exc) from exc

    # -- GDAL --------------------------------------------------------------------------
    def gdal_path(self, key: str) -> str:
        """The ``/vsis3/`` path GDAL (rasterio) reads the object from with range requests."""
        return f"/vsis3/{self.bucket}/{self._key(key)}"

    def configure_gdal(self) -> None:
        """Point GDAL's ``/vsis3/`` at this endpoint for the process (GDAL reads these from
        the environment), unless set explicitly: never the AWS default endpoint by accident."""
        for key, value in self.gdal_options().items():
            os.environ.setdefault(key, value)

    def gdal_options(self) -> dict[str, str]:
        """GDAL configuration for ``/vsis3/`` against this endpoint (keys come from AWS_*)."""
        # only /vsis3/ options: they are set process-wide (never e.g. READDIR, which would
        # hide the world files of local rasters from the pipelines)
        options = {"AWS_REGION": self.region}
        if self.endpoint:
            scheme, _, host = self.endpoint.partition("://")
            options.update({"AWS_S3_ENDPOINT": host.rstrip("/"),
                            "AWS_HTTPS": "YES" if scheme == "https" else "NO",
                            "AWS_VIRTUAL_HOSTING": "FALSE"})
        return options


def _failed(store: ObjectStore, what: str, key: str, exc: BaseException) -> StorageError:
    return StorageError(f"object store {store.url}: cannot {what} {key}: "
                        f"{type(exc).__name__}: {exc}")


def _status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return int(status) if status else None
    return None


def _code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


AWS_VARIABLES = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                 "AWS_DEFAULT_REGION", "AWS_REGION")


def connect(url: str, env: Mapping[str, str] | None = None, *, check: bool = True) -> ObjectStore:
    """An :class:`ObjectStore` for ``url`` with the AWS_* settings of ``env`` (the process
    environment by default); one checked client per distinct setting, reused."""
    env = os.environ if env is None else env
    return _connect(url, tuple((k, env.get(k, "")) for k in AWS_VARIABLES), check)


@functools.lru_cache(maxsize=8)
def _connect(url: str, settings: tuple[tuple[str, str], ...], check: bool) -> ObjectStore:
    """An :class:`ObjectStore` for ``url`` with the AWS_* settings of ``env``.

    With ``check`` the bucket must answer a HEAD request; every failure is a SettingsError
    naming the variable to fix (OPENGEODATA_OBJECT_STORE, AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY).
    """
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

    env = dict(settings)
    bucket, prefix = parse_url(url)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        if not env.get(name):
            raise SettingsError(f"{name} is not set: {VARIABLE}={url} needs the object store's "
                                "access key (AWS_ACCESS_KEY_ID) and secret (AWS_SECRET_ACCESS_KEY)")
    endpoint = env.get("AWS_ENDPOINT_URL") or None
    if endpoint is not None and not re.fullmatch(r"https?://[^\s/]+/?", endpoint):
        raise SettingsError(f"AWS_ENDPOINT_URL={endpoint!r}: expected http(s)://host[:port]")
    region = env.get("AWS_DEFAULT_REGION") or env.get("AWS_REGION") or "us-east-1"
    config = Config(connect_timeout=3, read_timeout=30, retries={"max_attempts": 3},
                    max_pool_connections=32, s3={"addressing_style": "path"},
                    request_checksum_calculation="when_required",
                    response_checksum_validation="when_required")
    session = boto3.session.Session(aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                                    aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
                                    region_name=region)
    client = session.client("s3", endpoint_url=endpoint, config=config)
    store = ObjectStore(client, bucket, prefix, url.rstrip("/"), endpoint, region)
    if not check:
        return store
    where = endpoint or "the default AWS endpoint"
    try:
        client.head_bucket(Bucket=bucket)
    except EndpointConnectionError as exc:
        raise SettingsError(f"AWS_ENDPOINT_URL={endpoint}: the object store is unreachable "
                            f"({exc})") from None
    except ClientError as exc:
        status, code = _status(exc), _code(exc)
        if status == 404 or code in ("NoSuchBucket", "404"):
            raise SettingsError(f"{VARIABLE}={url}: bucket {bucket!r} does not exist at "
                                f"{where}") from None
        if status in (401, 403):
            raise SettingsError(f"AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: {where} refused the "
                                f"keys for bucket {bucket!r} ({code or status})") from None
        raise SettingsError(f"{VARIABLE}={url}: {where} answered {status} {code}") from None
    except BotoCoreError as exc:
        raise SettingsError(f"AWS_ENDPOINT_URL={endpoint}: the object store is unreachable "
                            f"({exc})") from None
    return store
