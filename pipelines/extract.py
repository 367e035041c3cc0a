"""Extract: bring the source files of a dataset into ``data/sources/<id>/``, checksummed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from opengeodata.errors import SourceError
from opengeodata.manifest import SourceFile, sha256_file
from pipelines.context import RunContext

SIDECARS = (".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".tfw", ".jgw", ".pgw",
            ".wld", ".aux.xml")


def _sample_files(ctx: RunContext) -> list[Path]:
    folder = ctx.dataset.folder
    files: list[Path] = []
    for pattern in ctx.dataset.decl.source.sample:
        matches = sorted(p for p in folder.glob(pattern) if p.is_file())
        if not matches:
            raise SourceError(f"{ctx.id}: sample {pattern!r} matches no file in {folder}")
        files.extend(matches)
    return files


def _copy_with_sidecars(src: Path, dest_dir: Path) -> Path:
    dest = dest_dir / src.name
    tmp = dest_dir / f".{src.name}.part"
    shutil.copyfile(src, tmp)
    os.replace(tmp, dest)
    stem = src.name[: -len(src.suffix)] if src.suffix else src.name
    for ext in SIDECARS:
        for cand in (src.parent / f"{stem}{ext}", src.parent / f"{stem}{ext.upper()}"):
            if cand.is_file():
                shutil.copyfile(cand, dest_dir / cand.name)
    return dest


def extract(ctx: RunContext) -> None:
    """Fill ``ctx.sources`` and ``ctx.source_files`` from the bundled sample or the URL."""
    src = ctx.dataset.decl.source
    dest_dir = ctx.settings.data_dir / "sources" / ctx.id
    dest_dir.mkdir(parents=True, exist_ok=True)
    use_remote = bool(src.url) and (ctx.settings.source_mode == "remote" or not src.sample)
    if use_remote:
        from pipelines.download import download_all

        paths = download_all(ctx, dest_dir)
    else:
        paths = [_copy_with_sidecars(p, dest_dir) for p in _sample_files(ctx)]
    ctx.sources = paths
    ctx.source_files = []
    for path in paths:
        size = path.stat().st_size
        if size == 0:
            raise SourceError(f"{ctx.id}: {path.name}: the source file is empty")
        ctx.source_files.append(SourceFile(name=path.name, sha256=sha256_file(path), size=size))
    ctx.log(f"extract {len(paths)} source file(s)")
