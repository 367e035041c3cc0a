"""The state one dataset run carries through the pipeline steps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from opengeodata.declaration import DeclaredDataset
from opengeodata.manifest import Extent, OutputFile, QualityReport, SourceFile, sha256_file
from opengeodata.settings import Settings

MEDIA_TYPES = {
    "gpkg": "application/geopackage+sqlite3",
    "stored-geojson": "application/vnd.sqlite3",
    "geojson": "application/geo+json",
    "fgb": "application/flatgeobuf",
    "shpzip": "application/zip",
    "csv": "text/csv",
    "parquet": "application/vnd.apache.parquet",
    "cityjson": "application/city+json",
    "cityjsonseq": "application/city+json-seq",
    "citygml": "application/gml+xml",
    "cog": "image/tiff; application=geotiff; profile=cloud-optimized",
    "pmtiles": "application/vnd.pmtiles",
    "zip": "application/zip",
    "3dtiles": "application/vnd.maxar.archive.3tz+zip",
}


def log_nothing(message: str) -> None:
    """A logger that says nothing (for quiet runs and tests)."""


@dataclass
class RunContext:
    """One run of one dataset: declaration, inputs, staging folder, report, outputs."""

    dataset: DeclaredDataset
    settings: Settings
    staging: Path
    sources: list[Path] = field(default_factory=list)
    source_files: list[SourceFile] = field(default_factory=list)
    report: QualityReport = field(default_factory=QualityReport)
    outputs: list[OutputFile] = field(default_factory=list)
    #: files only the server reads (stored answers), registered like outputs, never downloads
    server_files: list[OutputFile] = field(default_factory=list)
    log: Callable[[str], None] = log_nothing
    #: extent set by readers without a vector layer (rasters)
    extent: Extent | None = None
    #: (file name, source feature ids) per source file, in the order of the read layer's rows
    #: (set by readers that know them; used to name features in errors)
    record_ids: list[tuple[str, list[int]]] = field(default_factory=list)

    def record_name(self, position: int) -> str:
        """'<file> feature <fid>' for a row of the read layer (before any row was dropped)."""
        start = 0
        for name, ids in self.record_ids:
            if position < start + len(ids):
                return f"{name} feature {ids[position - start]}"
            start += len(ids)
        source = self.sources[0].name if len(self.sources) == 1 else "source"
        return f"{source} feature {position}"

    @property
    def id(self) -> str:
        """The dataset id."""
        return self.dataset.decl.id

    def add_output(
        self,
        path: Path,
        fmt: str,
        title: str,
        *,
        crs: str | None = None,
        tile: str | None = None,
        media_type: str | None = None,
        features: int | None = None,
    ) -> OutputFile:
        """Register a file written into the staging folder as an output of this version."""
        if path.parent != self.staging:
            raise ValueError(f"output {path} must be written directly into the staging folder")
        out = OutputFile(
            name=path.name,
            format=fmt,
            media_type=media_type or MEDIA_TYPES.get(fmt, "application/octet-stream"),
            size=path.stat().st_size,
            sha256=sha256_file(path),
            title=title,
            crs=crs,
            tile=tile,
            features=features,
        )
        self.outputs.append(out)
        return out

    def add_server_file(self, path: Path, fmt: str, title: str, *,
                        features: int | None = None) -> OutputFile:
        """Register a file written into the staging folder that only the server reads."""
        out = self.add_output(path, fmt, title, features=features)
        self.outputs.remove(out)
        self.server_files.append(out)
        return out
