"""Extract: bring the source files of a dataset into ``data/sources/<id>/``, checksummed.

SHA-256 sums are cached by path, size, mtime and inode (``.checksums.json`` next to the
sources), so an unchanged big source is not hashed again and a no-op refresh stays fast.
Each refresh starts from exactly the files of this delivery: files an earlier delivery left
in the folder (a sidecar the new delivery lacks) are removed first. Copies keep the holes of
sparse files, and zip deliveries are checked against zip bombs (``pipelines.archives``).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from opengeodata.declaration import DeclaredDataset
from opengeodata.errors import SourceError
from opengeodata.manifest import SourceFile, sha256_file
from opengeodata.settings import Settings
from pipelines.archives import check_archive
from pipelines.context import RunContext
from pipelines.files import copy_sparse

SIDECARS = (".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".tfw", ".jgw", ".pgw",
            ".wld", ".aux.xml", ".xsd", ".gfs", ".csvt")
CACHE_NAME = ".checksums.json"


class ChecksumCache:
    """SHA-256 per file, trusted while size, mtime and inode are unchanged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, list[int | str]] = {}
        self.dirty = False
        try:
            loaded = json.loads(path.read_text())
            if isinstance(loaded, dict):
                self.entries = loaded
        except (OSError, ValueError):
            pass

    def sha256(self, file: Path) -> str:
        """The file's SHA-256, from the cache when the file did not change."""
        st = file.stat()
        key = str(file.resolve())
        stamp: list[int | str] = [st.st_size, st.st_mtime_ns, st.st_ino]
        entry = self.entries.get(key)
        if entry is not None and entry[:3] == stamp and isinstance(entry[3], str):
            return entry[3]
        digest = sha256_file(file)
        self.entries[key] = [*stamp, digest]
        self.dirty = True
        return digest

    def alias(self, original: Path, copy: Path) -> None:
        """Record the checksum of ``copy`` (an exact copy) for ``original`` too."""
        digest = self.sha256(copy)
        st = original.stat()
        self.entries[str(original.resolve())] = [st.st_size, st.st_mtime_ns, st.st_ino, digest]
        self.dirty = True

    def save(self) -> None:
        """Write the cache atomically (only when something changed)."""
        if not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(self.entries))
        os.replace(tmp, self.path)
        self.dirty = False


def sources_dir(settings: Settings, dataset_id: str) -> Path:
    """Where a dataset's extracted sources live."""
    return settings.data_dir / "sources" / dataset_id


def uses_remote(dataset: DeclaredDataset, settings: Settings) -> bool:
    """True if this run downloads ``source.url`` instead of using the bundled sample."""
    src = dataset.decl.source
    return bool(src.url) and (settings.source_mode == "remote" or not src.sample)


def sample_files(dataset: DeclaredDataset) -> list[Path]:
    """The bundled sample files of a dataset (globs expanded, sorted)."""
    folder = dataset.folder
    files: list[Path] = []
    for pattern in dataset.decl.source.sample:
        matches = sorted(p for p in folder.glob(pattern) if p.is_file())
        if not matches:
            raise SourceError(f"{dataset.decl.id}: sample {pattern!r} matches no file in {folder}")
        files.extend(matches)
    return files


def sidecars(path: Path) -> list[Path]:
    """The sidecar files next to a source (``.dbf``, ``.prj``, world files, ...), sorted."""
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    found = {
        cand
        for ext in SIDECARS
        for cand in (path.parent / f"{stem}{ext}", path.parent / f"{stem}{ext.upper()}")
        if cand.is_file() and cand != path
    }
    return sorted(found)


def with_sidecars(paths: list[Path]) -> list[Path]:
    """Each source followed by its sidecars: all of them count for the unchanged check."""
    return [f for p in paths for f in (p, *sidecars(p))]


def _checked(dataset_id: str, path: Path, cache: ChecksumCache) -> SourceFile:
    size = path.stat().st_size
    if size == 0:
        raise SourceError(f"{dataset_id}: {path.name}: the source file is empty (0 bytes)")
    return SourceFile(name=path.name, sha256=cache.sha256(path), size=size)


def sample_source_files(dataset: DeclaredDataset, settings: Settings) -> list[SourceFile]:
    """Checksums of the bundled samples without copying anything (for the unchanged check)."""
    cache = ChecksumCache(sources_dir(settings, dataset.decl.id) / CACHE_NAME)
    try:
        return [
            _checked(dataset.decl.id, p, cache) for p in with_sidecars(sample_files(dataset))
        ]
    finally:
        cache.save()


def _same_file(src: Path, dest: Path) -> bool:
    try:
        a, b = src.stat(), dest.stat()
    except OSError:
        return False
    return a.st_size == b.st_size and a.st_mtime_ns == b.st_mtime_ns


def _copy_atomic(src: Path, dest: Path) -> None:
    if _same_file(src, dest):
        return
    tmp = dest.with_name(f".{dest.name}.part")
    copy_sparse(src, tmp)
    os.replace(tmp, dest)


def _copy_with_sidecars(src: Path, dest_dir: Path) -> Path:
    dest = dest_dir / src.name
    _copy_atomic(src, dest)
    for cand in sidecars(src):
        _copy_atomic(cand, dest_dir / cand.name)
    return dest


def clean_partial(settings: Settings, dataset_id: str) -> None:
    """Remove half-copied or half-downloaded files a crashed run left."""
    folder = sources_dir(settings, dataset_id)
    if folder.is_dir():
        for pattern in (".*.part", ".*.download", f".{CACHE_NAME}.*"):
            for path in folder.glob(pattern):
                path.unlink(missing_ok=True)
        for path in folder.glob(".failed-*"):
            shutil.rmtree(path, ignore_errors=True)


def remove_stale(dest_dir: Path, keep: Iterable[str]) -> list[str]:
    """Remove the files of earlier deliveries (all but ``keep`` and hidden bookkeeping).

    Called once this delivery is complete, so a failed download keeps what was there."""
    wanted = set(keep)
    removed = []
    for path in sorted(dest_dir.iterdir()):
        if path.name.startswith(".") or path.name in wanted:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        removed.append(path.name)
    return removed


def extract(ctx: RunContext) -> None:
    """Fill ``ctx.sources`` and ``ctx.source_files`` from the bundled sample or the URL."""
    dest_dir = sources_dir(ctx.settings, ctx.id)
    dest_dir.mkdir(parents=True, exist_ok=True)
    cache = ChecksumCache(dest_dir / CACHE_NAME)
    originals: list[Path] = []
    if uses_remote(ctx.dataset, ctx.settings):
        from pipelines.download import download_all, name_for

        paths = download_all(ctx, dest_dir)
        stale = remove_stale(dest_dir, (name_for(u) for u in ctx.dataset.decl.source.url))
    else:
        originals = sample_files(ctx.dataset)
        paths = [_copy_with_sidecars(p, dest_dir) for p in originals]
        stale = remove_stale(dest_dir, (p.name for p in with_sidecars(originals)))
    if stale:
        ctx.log(f"removed {len(stale)} file(s) of an earlier delivery: {', '.join(stale)}")
    ctx.sources = paths
    for path in paths:
        if path.suffix.lower() == ".zip":
            check_archive(ctx.id, path, ctx.settings.archive_max_bytes,
                          ctx.settings.archive_max_ratio)
    try:
        ctx.source_files = [_checked(ctx.id, p, cache) for p in with_sidecars(paths)]
        for original, copy in zip(
            with_sidecars(originals), with_sidecars(paths), strict=False
        ):
            cache.alias(original, copy)
    finally:
        cache.save()
    ctx.log(f"extract {len(paths)} source file(s)")
