"""Environment settings (prefix ``OPENGEODATA_``), apart from the dataset declarations."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from opengeodata.errors import SettingsError


class Settings(BaseSettings):
    """Server and pipeline settings read from the environment."""

    model_config = SettingsConfigDict(env_prefix="OPENGEODATA_", extra="ignore")

    data_dir: Path = Field(
        Path("data"), description="Where sources, staging and published data live."
    )
    datasets_dir: Path = Field(Path("datasets"), description="Folder of dataset declarations.")
    config_dir: Path = Field(Path("config"), description="Server and pygeoapi base settings.")
    base_url: str = Field(
        "",
        description="Public base URL used in links (e.g. https://geodata.example.org behind a "
        "proxy); empty means http://HOST:PORT of the running server.",
    )
    source_mode: Literal["sample", "remote"] = Field(
        "sample",
        description="'sample' builds from each dataset's bundled sample, 'remote' downloads the "
        "declared source URL.",
    )
    workers: int = Field(2, ge=1, description="WSGI worker processes for `serve`.")
    threads: int = Field(
        2, ge=1,
        description="Threads per worker for `serve` (gthread). Requests are CPU-bound: more "
        "threads only queue behind the GIL and lengthen the tail (bench features_settings).",
    )
    worker_class: Literal["buffered", "gthread", "sync"] = Field(
        "buffered",
        description="gunicorn worker class for `serve`: 'buffered' (waitress's event loop per "
        "worker process: requests reach a thread only when complete, responses are buffered or "
        "streamed from disk by the loop, so slow clients hold no thread), 'gthread' (keep-alive "
        "connections, each read and written by a worker thread) or 'sync' (one request per "
        "connection, one thread).",
    )
    cache_max_age: int = Field(300, ge=0, description="Cache-Control max-age in seconds.")
    object_store: str = Field(
        "",
        description="s3://bucket/prefix: every published version's files, manifests and live "
        "pointers also go to S3-compatible object storage and servers read them from there "
        "(endpoint and keys from AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, "
        "AWS_DEFAULT_REGION); empty: local files only.",
    )

    @field_validator("object_store")
    @classmethod
    def _s3_url(cls, value: str) -> str:
        if value:
            from opengeodata.objectstore import parse_url

            try:
                parse_url(value)
            except SettingsError as exc:
                raise ValueError(str(exc).split(": ", 1)[-1]) from None
        return value
    wms_concurrency: int = Field(
        2, ge=1, le=64, description="MapServer renders at a time per worker for /wms (more wait)."
    )
    wms_timeout: float = Field(
        30.0, gt=0, le=600, description="Seconds a /wms request may wait and render before a "
        "503 service exception."
    )
    costly_requests: int = Field(
        1, ge=1,
        description="Costly requests (coverage renders, result downloads f=csv/fgb/gpkg) one "
        "worker process runs at once; one more is answered 503 with Retry-After, so cheap "
        "requests always find a free thread.",
    )
    max_body_bytes: int = Field(
        1 << 20, ge=1024,
        description="Largest request body (bytes) the server accepts, e.g. a CQL2-JSON filter "
        "sent by POST; larger bodies are answered 413.",
    )
    archive_max_bytes: int = Field(
        32 << 30, ge=1,
        description="Largest expanded size (bytes) of all members of one zip delivery; a "
        "bigger archive is refused as a possible zip bomb.",
    )
    archive_max_ratio: float = Field(
        200.0, gt=1,
        description="Largest compression ratio of a zip member of 16 MiB or more; a member "
        "that expands more is refused as a possible zip bomb.",
    )
    quarantine_keep: int = Field(
        5, ge=1, description="Quarantine folders kept per dataset (the oldest are removed).")
    quarantine_max_bytes: int = Field(
        1 << 30, ge=0,
        description="Disk space (bytes) the quarantine of one dataset may use; input beyond it "
        "is listed in error.txt but not kept.",
    )
    geoid_grid: Path | None = Field(
        None, description="Geoid grid file for 3D Tiles heights (default: GCG2016, else EGM2008 "
        "or EGM96 from PROJ's data directories).")
    database_url: str | None = Field(
        None,
        description="PostgreSQL/PostGIS URL (postgresql://user@host:port/db): every publish also "
        "loads each vector version there and the server answers features from PostGIS.",
    )
    database_read_url: str | None = Field(
        None,
        description="Optional URL of a streaming replica of database_url for the server's reads; "
        "a server switches to a version only once this database has it.",
    )

    @field_validator("database_url", "database_read_url")
    @classmethod
    def _postgres_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or not value.strip():
            return None
        from opengeodata.postgis.db import check_url

        try:
            return check_url(value, f"OPENGEODATA_{str(info.field_name).upper()}")
        except SettingsError as exc:
            raise ValueError(str(exc).split(": ", 1)[-1]) from None

    @property
    def features_backend(self) -> Literal["geopackage", "postgis"]:
        """Where feature queries are answered from."""
        return "postgis" if self.database_url else "geopackage"

    @property
    def read_database_url(self) -> str | None:
        """The database the server reads features from (the replica if configured)."""
        return self.database_read_url or self.database_url

    def resolved(self) -> Settings:
        """Return a copy with absolute paths (relative ones resolve against the cwd)."""
        return self.model_copy(
            update={
                "data_dir": self.data_dir.resolve(),
                "datasets_dir": self.datasets_dir.resolve(),
                "config_dir": self.config_dir.resolve(),
            }
        )

    def public_url(self, host: str = "127.0.0.1", port: int = 5000) -> str:
        """The base URL for links, without a trailing slash."""
        return (self.base_url or f"http://{host}:{port}").rstrip("/")


def from_environment() -> Settings:
    """Settings from the environment; a clear :class:`SettingsError` naming each bad variable."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = "OPENGEODATA_" + "_".join(str(part) for part in err["loc"]).upper()
            problems.append(f"{name}={err.get('input')!r}: {err['msg']}")
        raise SettingsError("invalid environment setting: " + "; ".join(problems)) from None
