"""Download remote sources into a temp file, verify, then move into place.

An interrupted, short or mismatching download never becomes a source: the body goes to a
hidden ``.<name>.download`` file first and is moved into place only when complete and, if the
declaration gives ``source.sha256``, when its checksum matches. A failed body is handed to the
caller (``DownloadError.partial``) for the quarantine.

Requests are conditional: the ``ETag`` and ``Last-Modified`` of the last complete download are
kept in ``.remote.json`` beside the sources and sent as ``If-None-Match`` /
``If-Modified-Since``; a ``304 Not Modified`` keeps the file already there (no transfer).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import unquote, urlparse

from opengeodata.errors import DownloadError
from pipelines.context import RunContext

TIMEOUT = 60
CHUNK = 1 << 20
USER_AGENT = "opengeodata-refresh"
FAILED_PREFIX = ".failed-"
VALIDATORS = ".remote.json"


def _load_validators(dest_dir: Path) -> dict[str, dict[str, str]]:
    try:
        loaded = json.loads((dest_dir / VALIDATORS).read_text())
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _save_validators(dest_dir: Path, url: str, entry: dict[str, str] | None) -> None:
    validators = _load_validators(dest_dir)
    if entry:
        validators[url] = entry
    else:
        validators.pop(url, None)
    tmp = dest_dir / f"{VALIDATORS}.{os.getpid()}.part"
    tmp.write_text(json.dumps(validators, indent=1))
    os.replace(tmp, dest_dir / VALIDATORS)


def _conditional_headers(dest: Path, known: dict[str, str] | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since for a file we still have complete."""
    if not known or not dest.is_file() or known.get("size") != str(dest.stat().st_size):
        return {}
    headers = {}
    if known.get("etag"):
        headers["If-None-Match"] = known["etag"]
    if known.get("last_modified"):
        headers["If-Modified-Since"] = known["last_modified"]
    return headers


def name_for(url: str) -> str:
    """The local file name of a URL (its last path segment)."""
    name = Path(unquote(urlparse(url).path)).name
    return name or "source"


def _failed(tmp: Path, dest_dir: Path, name: str) -> Path | None:
    """Keep a failed body aside for the quarantine (None if nothing was received)."""
    if not tmp.exists():
        return None
    if tmp.stat().st_size == 0:
        tmp.unlink()
        return None
    folder = dest_dir / f"{FAILED_PREFIX}{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    kept = folder / name
    os.replace(tmp, kept)
    return kept


def download(ctx: RunContext, url: str, dest_dir: Path, expect_sha256: str | None) -> Path:
    """Fetch one URL; an interrupted or short download never becomes a source."""
    name = name_for(url)
    dest = dest_dir / name
    tmp = dest_dir / f".{name}.download"
    digest = hashlib.sha256()
    where = f"{ctx.id}: {url}"
    conditional = _conditional_headers(dest, _load_validators(dest_dir).get(url))
    request = urllib.request.Request(  # noqa: S310
        url, headers={"User-Agent": USER_AGENT, **conditional})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as resp, tmp.open("wb") as out:  # noqa: S310
            validators = {"etag": resp.headers.get("ETag") or "",
                          "last_modified": resp.headers.get("Last-Modified") or ""}
            expected = resp.headers.get("Content-Length")
            got = 0
            while block := resp.read(CHUNK):
                out.write(block)
                digest.update(block)
                got += len(block)
    except urllib.error.HTTPError as exc:
        tmp.unlink(missing_ok=True)
        if exc.code == 304 and conditional:
            ctx.log(f"{url}: not modified since the last download; kept {dest.name}")
            return dest
        raise DownloadError(f"{where}: HTTP {exc.code} {exc.reason}", url) from None
    except http.client.IncompleteRead as exc:
        got_now = len(exc.partial) + (tmp.stat().st_size if tmp.exists() else 0)
        expected_total = (exc.expected or 0) + got_now
        raise DownloadError(
            f"{where}: short download ({got_now} of {expected_total} bytes); "
            "the connection closed early", url, _failed(tmp, dest_dir, name)) from None
    except (urllib.error.URLError, http.client.HTTPException, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise DownloadError(f"{where}: download failed: {reason}", url,
                            _failed(tmp, dest_dir, name)) from None
    if expected is not None and expected.isdigit() and got != int(expected):
        raise DownloadError(f"{where}: short download ({got} of {expected} bytes)", url,
                            _failed(tmp, dest_dir, name))
    if expect_sha256 and digest.hexdigest() != expect_sha256:
        raise DownloadError(
            f"{where}: SHA-256 {digest.hexdigest()} differs from the declared {expect_sha256}",
            url, _failed(tmp, dest_dir, name))
    os.replace(tmp, dest)
    size = dest.stat().st_size
    has_validator = validators["etag"] or validators["last_modified"]
    _save_validators(dest_dir, url, {**validators, "size": str(size)} if has_validator else None)
    ctx.log(f"downloaded {url} ({size} bytes)")
    return dest


def download_all(ctx: RunContext, dest_dir: Path) -> list[Path]:
    """Download every declared URL of the dataset."""
    src = ctx.dataset.decl.source
    sha = src.sha256 if len(src.url) == 1 else None
    return [download(ctx, url, dest_dir, sha) for url in src.url]
