"""Download remote sources into a temp file, verify, then move into place."""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlparse

from opengeodata.errors import SourceError
from pipelines.context import RunContext

TIMEOUT = 60


def _name_for(url: str) -> str:
    name = Path(unquote(urlparse(url).path)).name
    return name or "source"


def download(ctx: RunContext, url: str, dest_dir: Path, expect_sha256: str | None) -> Path:
    """Fetch one URL; an interrupted or short download never becomes a source."""
    dest = dest_dir / _name_for(url)
    tmp = dest_dir / f".{dest.name}.download"
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as resp, tmp.open("wb") as out:  # noqa: S310
            expected = resp.headers.get("Content-Length")
            got = 0
            while block := resp.read(1 << 20):
                out.write(block)
                digest.update(block)
                got += len(block)
            if expected is not None and got != int(expected):
                raise SourceError(
                    f"{ctx.id}: {url}: short download ({got} of {expected} bytes)"
                )
    except urllib.error.HTTPError as exc:
        tmp.unlink(missing_ok=True)
        raise SourceError(f"{ctx.id}: {url}: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        tmp.unlink(missing_ok=True)
        raise SourceError(f"{ctx.id}: {url}: download failed: {exc}") from exc
    except SourceError:
        tmp.unlink(missing_ok=True)
        raise
    if expect_sha256 and digest.hexdigest() != expect_sha256:
        tmp.unlink(missing_ok=True)
        raise SourceError(
            f"{ctx.id}: {url}: SHA-256 {digest.hexdigest()} differs from the declared "
            f"{expect_sha256}"
        )
    os.replace(tmp, dest)
    return dest


def download_all(ctx: RunContext, dest_dir: Path) -> list[Path]:
    """Download every declared URL of the dataset."""
    src = ctx.dataset.decl.source
    sha = src.sha256 if len(src.url) == 1 else None
    return [download(ctx, url, dest_dir, sha) for url in src.url]
