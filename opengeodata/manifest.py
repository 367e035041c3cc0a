"""The manifest of a published version: what was built from what, with checksums."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MANIFEST_NAME = "manifest.json"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceFile(_Model):
    """A source file the version was built from."""

    name: str
    sha256: str
    size: int


class OutputFile(_Model):
    """A file of the published version (a download or a served artefact)."""

    name: str = Field(description="File name inside the version folder.")
    format: str = Field(description="Format key, e.g. gpkg, geojson, pmtiles.")
    media_type: str
    size: int
    sha256: str
    title: str = Field("", description="Human title, e.g. 'GeoPackage (EPSG:25832)'.")
    crs: str | None = None
    tile: str | None = Field(None, description="Download tile name, for tiled downloads.")
    features: int | None = Field(None, description="Features in the file, when countable.")
    geoid: str | None = Field(
        None, description="3D Tiles: geoid model that turned normal heights into ellipsoidal "
        "heights (e.g. EGM96 or GCG2016).")


class FieldInfo(_Model):
    """One attribute of the published layer."""

    name: str
    type: str
    description: str = ""


class Extent(_Model):
    """Spatial extent in the storage CRS and in CRS84."""

    bbox: list[float] = Field(description="minx, miny, maxx, maxy in the storage CRS.")
    bbox_crs84: list[float] = Field(description="minlon, minlat, maxlon, maxlat.")
    crs: str = "EPSG:25832"


class QualityReport(_Model):
    """What a run read, wrote, dropped and repaired."""

    features_read: int = 0
    features_written: int = 0
    dropped: dict[str, int] = Field(default_factory=dict, description="Reason -> count.")
    geometries_repaired: int = 0
    crs_transformation: str | None = None
    attribute_problems: dict[str, int] = Field(default_factory=dict)
    checks: dict[str, Any] = Field(default_factory=dict, description="Dataset-specific checks.")
    warnings: list[str] = Field(default_factory=list)

    def drop(self, reason: str, count: int = 1) -> None:
        """Count features dropped for ``reason``."""
        if count:
            self.dropped[reason] = self.dropped.get(reason, 0) + count

    def problem(self, what: str, count: int = 1) -> None:
        """Count an attribute problem."""
        if count:
            self.attribute_problems[what] = self.attribute_problems.get(what, 0) + count

    def summary(self) -> str:
        """One line for humans."""
        parts = [f"{self.features_read} read", f"{self.features_written} written"]
        raster = self.checks.get("raster")
        if isinstance(raster, dict):  # raster datasets: tiles in, one COG out
            parts = [f"{raster.get('tiles')} tiles read",
                     f"COG {raster.get('width')}x{raster.get('height')} px written"]
        dropped = sum(self.dropped.values())
        if dropped:
            parts.append(f"{dropped} dropped")
        if self.geometries_repaired:
            parts.append(f"{self.geometries_repaired} geometries repaired")
        if self.attribute_problems:
            parts.append(f"{sum(self.attribute_problems.values())} attribute problems")
        if self.crs_transformation:
            parts.append(f"CRS {self.crs_transformation}")
        return ", ".join(parts)

    def details(self) -> list[str]:
        """Every item of the report, one line each."""
        lines = [f"features read: {self.features_read}",
                 f"features written: {self.features_written}"]
        lines += [f"dropped ({reason}): {n}" for reason, n in sorted(self.dropped.items())]
        lines.append(f"geometries repaired: {self.geometries_repaired}")
        lines.append(f"CRS transformation: {self.crs_transformation or 'none'}")
        lines += [f"attribute problem: {what} ({n})"
                  for what, n in sorted(self.attribute_problems.items())]
        lines += [f"check {key}: {value}" for key, value in sorted(self.checks.items())]
        lines += [f"warning: {w}" for w in self.warnings]
        return lines


class Manifest(_Model):
    """Everything about one published version of a dataset."""

    dataset: str
    version: str
    created: str = Field(description="UTC time of publishing, ISO 8601.")
    fingerprint: str = Field(description="Hash of sources, declaration and pipeline version.")
    pipeline_version: str
    declaration_sha256: str
    sources: list[SourceFile]
    feature_count: int
    geometry_type: str | None = None
    layer: str | None = Field(None, description="Layer name in the GeoPackage.")
    extent: Extent | None = None
    fields: list[FieldInfo] = Field(default_factory=list)
    outputs: list[OutputFile] = Field(default_factory=list)
    server_files: list[OutputFile] = Field(
        default_factory=list,
        description="Files of the version only the server reads (not downloads), e.g. the "
                    "stored default GeoJSON answers of the GeoPackage; verified like outputs.")
    quality: QualityReport = Field(default_factory=QualityReport)

    @property
    def files(self) -> list[OutputFile]:
        """Every file of the version: outputs, then server files."""
        return [*self.outputs, *self.server_files]

    def output(self, fmt: str) -> OutputFile | None:
        """The first output of format ``fmt``, if any."""
        return next((o for o in self.outputs if o.format == fmt and o.tile is None), None)

    def write(self, folder: Path) -> Path:
        """Write ``manifest.json`` into ``folder``."""
        path = folder / MANIFEST_NAME
        path.write_text(json.dumps(self.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return path

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """Read ``manifest.json`` from ``folder``."""
        return cls.model_validate_json((folder / MANIFEST_NAME).read_bytes())


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()
