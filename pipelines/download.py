"""Download remote sources into a temp file, verify, then move into place.

An interrupted, short or mismatching download never becomes a source: the body goes to a
hidden ``.<name>.download`` file first and is moved into place only when complete and, if the
declaration gives ``source.sha256``, when its checksum matches. A failed body is handed to the
caller (``DownloadError.partial``) for the quarantine.
"""

from __future__ import annotations

import hashlib
import http.client
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
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as resp, tmp.open("wb") as out:  # noqa: S310
            expected = resp.headers.get("Content-Length")
            got = 0
            while block := resp.read(CHUNK):
                out.write(block)
                digest.update(block)
                got += len(block)
    except urllib.error.HTTPError as exc:
        tmp.unlink(missing_ok=True)
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
    ctx.log(f"downloaded {url} ({dest.stat().st_size} bytes)")
    return dest


def download_all(ctx: RunContext, dest_dir: Path) -> list[Path]:
    """Download every declared URL of the dataset."""
    src = ctx.dataset.decl.source
    sha = src.sha256 if len(src.url) == 1 else None
    return [download(ctx, url, dest_dir, sha) for url in src.url]
