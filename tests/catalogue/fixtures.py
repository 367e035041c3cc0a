"""Small in-code declarations and manifests for catalogue tests (no refresh needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from opengeodata.declaration import Dataset, DeclaredDataset
from opengeodata.manifest import Extent, Manifest, OutputFile, QualityReport
from pipelines.context import MEDIA_TYPES

BASE = "http://testserver"


def declared(ds_id: str, title: str, **extra: Any) -> DeclaredDataset:
    """A validated declaration of ``ds_id`` with sensible defaults."""
    raw: dict[str, Any] = {
        "id": ds_id, "title": title, "description": extra.pop("description", f"{title}."),
        "licence": {"id": extra.pop("licence", "dl-de/by-2-0"),
                    "attribution": "Landeshauptstadt Hannover"},
        "publisher": {"name": "Landeshauptstadt Hannover", "url": "https://www.hannover.de"},
        "contact": {"name": "Geoinformation", "email": "geoinformation@hannover-stadt.de"},
        "source": {"sample": "x.geojson", "format": "GeoJSON"},
        **extra,
    }
    return DeclaredDataset(decl=Dataset.model_validate(raw), path=Path(f"/x/{ds_id}/dataset.yml"),
                           sha256="0" * 64)


def manifest(ds_id: str, formats: tuple[str, ...] = ("gpkg", "geojson"),
             bbox: tuple[float, float, float, float] = (9.6, 52.3, 9.9, 52.45),
             created: str = "2026-01-02T03:04:05Z", version: str = "20260102T030405Z",
             ) -> Manifest:
    """A manifest with one output per format."""
    return Manifest(
        dataset=ds_id, version=version, created=created, fingerprint="f", pipeline_version="1",
        declaration_sha256="0" * 64, sources=[], feature_count=3, geometry_type="Polygon",
        layer=ds_id,
        extent=Extent(bbox=[0, 0, 1, 1], bbox_crs84=list(bbox)),
        outputs=[OutputFile(name=f"{ds_id}.{f}", format=f,
                            media_type=MEDIA_TYPES.get(f, "application/octet-stream"), size=10 + i,
                            sha256=f"{i:064x}", title="") for i, f in enumerate(formats)],
        quality=QualityReport(features_read=4, features_written=3, dropped={"empty": 1}),
    )
