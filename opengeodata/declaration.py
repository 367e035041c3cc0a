"""Dataset declarations: ``datasets/<id>/dataset.yml`` as pydantic v2 models."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from opengeodata.errors import DeclarationError

DATASET_ID = r"^[a-z][a-z0-9_]{1,62}$"

Theme = Literal["cadastre", "citymodel", "environment", "planning", "maps", "society", "transport"]
Frequency = Literal[
    "continuous", "daily", "weekly", "monthly", "quarterly", "biannual", "annual", "irregular",
    "never",
]
FieldType = Literal["string", "integer", "number", "boolean", "date", "datetime"]
OutputFormat = Literal[
    "gpkg", "geojson", "fgb", "shpzip", "csv", "parquet",
    "cityjson", "cityjsonseq", "citygml", "cog", "pmtiles", "3dtiles",
]
DEFAULT_VECTOR_OUTPUTS: list[OutputFormat] = [
    "gpkg", "geojson", "fgb", "shpzip", "csv", "parquet", "pmtiles",
]

LICENCE_URIS = {
    "dl-de/by-2-0": "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
    "dl-de/zero-2-0": "http://dcat-ap.de/def/licenses/dl-zero-de/2.0",
    "CC-BY-4.0": "http://dcat-ap.de/def/licenses/cc-by/4.0",
    "CC0-1.0": "http://dcat-ap.de/def/licenses/cc-zero",
}
LICENCE_TEXT_URLS = {
    "dl-de/by-2-0": "https://www.govdata.de/dl-de/by-2-0",
    "dl-de/zero-2-0": "https://www.govdata.de/dl-de/zero-2-0",
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
}


class Model(BaseModel):
    """Base for declaration models: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Licence(Model):
    """Licence of a dataset and the attribution text users must show."""

    id: Literal["dl-de/by-2-0", "dl-de/zero-2-0", "CC-BY-4.0", "CC0-1.0"] = Field(
        description="Licence identifier."
    )
    attribution: str = Field(description="Attribution text, e.g. 'Landeshauptstadt Hannover'.")

    @property
    def uri(self) -> str:
        """The licence URI used by DCAT-AP.de."""
        return LICENCE_URIS[self.id]

    @property
    def url(self) -> str:
        """A human-readable page with the licence text."""
        return LICENCE_TEXT_URLS[self.id]


class Organisation(Model):
    """A publisher or a contact point."""

    name: str = Field(description="Name of the organisation or unit.")
    url: str | None = Field(None, description="Web page.")
    email: str | None = Field(None, description="E-mail address.")


class Source(Model):
    """Where the data comes from: a bundled sample and the real remote source."""

    kind: Literal["vector", "nas", "citygml", "raster"] = Field(
        "vector", description="Which pipeline reads the source."
    )
    sample: list[str] = Field(
        default_factory=list,
        description="Bundled sample file(s), relative to the dataset folder; globs allowed.",
    )
    url: list[str] = Field(
        default_factory=list, description="The real remote source URL(s) (HTTP(S))."
    )
    format: str = Field(description="Source format, e.g. GeoJSON, GPKG, ESRI Shapefile, NAS.")
    sha256: str | None = Field(
        None, description="Expected SHA-256 of a single remote file, checked after download."
    )
    layer: str | None = Field(None, description="Layer to read from a multi-layer source.")
    crs: str | None = Field(
        None, description="Source CRS; overrides or supplies the CRS of files that have none."
    )
    encoding: str | None = Field(None, description="Attribute encoding, e.g. CP1252 for DBF.")
    open_options: dict[str, str] = Field(
        default_factory=dict,
        description="OGR open options, e.g. {X_POSSIBLE_NAMES: x, Y_POSSIBLE_NAMES: y} for CSV.",
    )
    filter: str | None = Field(
        None,
        description="Row filter as an OGR SQL WHERE clause on the source fields, e.g. "
        "\"STATUS <> 'gefällt'\" (only matching rows are read).",
    )

    @field_validator("sample", "url", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: list[str]) -> list[str]:
        for url in value:
            if not re.match(r"^https?://", url):
                raise ValueError(f"source URL must be http(s): {url!r}")
        return value

    @field_validator("sha256")
    @classmethod
    def _hex(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", value):
            raise ValueError("sha256 must be 64 hexadecimal characters")
        return value.lower() if value else value

    @model_validator(mode="after")
    def _some_source(self) -> Source:
        if not self.sample and not self.url:
            raise ValueError("a source needs 'sample' (bundled file) or 'url' (remote), or both")
        return self


class FieldSpec(Model):
    """One attribute of the published layer: where it comes from and its type."""

    name: str = Field(description="Field name in the published data.", pattern=r"^[A-Za-z_]\w*$")
    source: str | None = Field(None, description="Source column (default: same as name).")
    type: FieldType = Field("string", description="Type the values are cast to.")
    description: str = Field("", description="What the field means (shown in the catalogue).")
    values: dict[str, str] | None = Field(
        None,
        description="Value map (code list) applied after casting, e.g. {'1000': 'Wohngebaeude'}.",
    )

    @property
    def source_name(self) -> str:
        """The source column this field is read from."""
        return self.source or self.name


#: tippecanoe options applied unless ``tiles.default_options`` is false.
TIPPECANOE_DEFAULTS = ["--drop-rate=1", "--coalesce-densest-as-needed", "--detect-shared-borders"]
#: options the pipeline sets itself; a declaration may not override them.
TIPPECANOE_RESERVED = {
    "-o", "--output", "-e", "--output-to-directory", "-f", "--force", "-F", "--allow-existing",
    "-l", "--layer", "-L", "--named-layer", "-z", "--maximum-zoom", "-Z", "--minimum-zoom",
    "-y", "--include", "-x", "--exclude", "-X", "--exclude-all", "-t", "--temporary-directory",
    "-P", "--read-parallel", "-n", "--name", "-A", "--attribution",
}


class Tiles(Model):
    """Vector tile settings (PMTiles built with tippecanoe)."""

    enabled: bool = Field(True, description="Build vector tiles for this dataset.")
    minzoom: int = Field(10, ge=0, le=22, description="Lowest zoom level.")
    maxzoom: int = Field(16, ge=0, le=22, description="Highest zoom level.")
    attributes: list[str] | None = Field(
        None, description="Attributes kept in the tiles (default: all)."
    )
    options: list[str] = Field(
        default_factory=list,
        description="Extra tippecanoe options, e.g. ['--drop-densest-as-needed'].",
    )
    default_options: bool = Field(
        True,
        description="Apply the default dropping/coalescing options so that points and small "
        "polygons do not vanish at low zooms: " + " ".join(TIPPECANOE_DEFAULTS) + " "
        "(--drop-rate=1: no zoom-based dropping of points; --coalesce-densest-as-needed: only "
        "when a tile is too big, merge the densest features instead of dropping them; "
        "--detect-shared-borders: shared polygon edges simplify identically, no gaps; "
        "tippecanoe's tiny-polygon reduction stays on, so polygons smaller than a pixel are "
        "kept as pixel-sized squares). false: only 'options' are passed.",
    )

    @field_validator("options")
    @classmethod
    def _safe_options(cls, value: list[str]) -> list[str]:
        for option in value:
            name = option.split("=", 1)[0]
            if not option.startswith("-"):
                raise ValueError(f"tippecanoe option {option!r} must start with '-'")
            if name in TIPPECANOE_RESERVED:
                raise ValueError(
                    f"tippecanoe option {name!r} is set by the pipeline (output, layer, zooms); "
                    "use minzoom/maxzoom/attributes instead"
                )
        return value

    @model_validator(mode="after")
    def _zoom_order(self) -> Tiles:
        if self.minzoom > self.maxzoom:
            raise ValueError("minzoom must not be greater than maxzoom")
        return self


class DownloadTiles(Model):
    """Split big datasets into download tiles on a square grid."""

    size_km: int = Field(1, ge=1, le=100, description="Grid cell size in km.")
    name: str = Field(
        "{id}_32_{e}_{n}",
        description="File name pattern; {id}, {e} and {n} (cell origin in km) are filled in.",
    )
    formats: list[OutputFormat] = Field(
        default_factory=lambda: list[OutputFormat](["gpkg"]),
        description="Formats each download tile is written in (vector layers).",
    )


class RasterSettings(Model):
    """How a raster dataset is drawn and served (``source.kind: raster``)."""

    render: Literal["image", "hillshade"] = Field(
        "image",
        description="Map tiles: 'image' draws the bands as they are (RGB, greyscale); "
        "'hillshade' draws a single-band elevation model as shaded relief.",
    )
    terrain: bool = Field(
        False,
        description="Also serve terrain tiles (heights for 3D viewers such as CesiumJS) under "
        "/collections/{id}/terrain; needs a single-band elevation model in metres.",
    )


class Temporal(Model):
    """Temporal extent and an optional temporal field for `datetime` queries."""

    start: str | None = Field(None, description="ISO 8601 start of the temporal extent.")
    end: str | None = Field(None, description="ISO 8601 end (empty: open).")
    field: str | None = Field(None, description="Date/time field used for `datetime` queries.")


HEX_COLOUR = r"^#[0-9a-fA-F]{6}$"


class Style(Model):
    """Default map style of a vector dataset in the WMS; unset keys fall back to a default
    by geometry type (polygons: light blue fill, dark blue outline; lines: dark blue;
    points: green circles)."""

    line_colour: str | None = Field(
        None, pattern=HEX_COLOUR, description="Line and outline colour, #rrggbb."
    )
    fill_colour: str | None = Field(
        None, pattern=HEX_COLOUR, description="Fill colour of polygons and point symbols, #rrggbb."
    )
    line_width: float | None = Field(None, gt=0, le=20, description="Line width in pixels.")
    opacity: float | None = Field(
        None, ge=0, le=1, description="Opacity of the fill (0 transparent .. 1 opaque)."
    )
    point_size: float | None = Field(
        None, gt=0, le=64, description="Diameter of the point symbol in pixels."
    )


class Dataset(Model):
    """A dataset declaration: everything needed to build, publish and describe it."""

    id: str = Field(description="Dataset id, also the collection id.", pattern=DATASET_ID)
    title: str = Field(description="Short title (German).")
    title_en: str | None = Field(None, description="English title.")
    description: str = Field(description="What the dataset contains (German).")
    description_en: str | None = Field(None, description="English description.")
    keywords: list[str] = Field(default_factory=list, description="Search keywords.")
    theme: Theme = Field("planning", description="Catalogue theme the dataset is grouped under.")
    licence: Licence
    publisher: Organisation
    contact: Organisation
    source: Source
    fields: list[FieldSpec] | None = Field(
        None,
        description="Attribute mapping: select (only listed fields are kept), rename (source), "
        "cast (type). Omitted: keep every source field as is.",
    )
    id_field: str | None = Field(
        None, description="Field holding a stable feature id (default: a running number)."
    )
    storage_crs: str = Field("EPSG:25832", description="CRS of the stored and served data.")
    outputs: list[OutputFormat] | None = Field(
        None, description="Download formats (default depends on the source kind)."
    )
    tiles: Tiles = Field(default_factory=lambda: Tiles(), description="Vector tile settings.")
    download_tiles: DownloadTiles | None = Field(
        None, description="Split downloads on a km grid (for big datasets)."
    )
    update_frequency: Frequency = Field("irregular", description="How often the source changes.")
    temporal: Temporal = Field(default_factory=lambda: Temporal(), description="Temporal extent.")
    raster: RasterSettings = Field(
        default_factory=lambda: RasterSettings(),
        description="Rendering of raster datasets (map tiles, terrain tiles).",
    )
    keep_versions: int = Field(3, ge=1, le=100, description="Published versions kept for rollback.")
    style: Style | None = Field(
        None, description="Default WMS style of a vector dataset (colours, width, symbol size)."
    )
    max_dropped: float = Field(
        0.05, ge=0, le=1,
        description="Largest share of the read features a refresh may drop (missing, "
        "non-finite or unrepairable geometry) and still publish; more, or no feature written "
        "at all, refuses the refresh and the live version stays. Rows left out by "
        "'source.filter' do not count.",
    )

    @field_validator("keywords", mode="before")
    @classmethod
    def _keywords(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _unique_fields(self) -> Dataset:
        names = [f.name for f in self.fields or []]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate field names: {', '.join(dupes)}")
        return self

    @model_validator(mode="after")
    def _raster_settings(self) -> Dataset:
        if self.source.kind != "raster" and self.raster != RasterSettings():
            raise ValueError("'raster' settings need source.kind: raster")
        return self

    @property
    def output_formats(self) -> list[OutputFormat]:
        """Declared download formats, or the default for the source kind."""
        if self.outputs is not None:
            return list(self.outputs)
        if self.source.kind == "raster":
            return ["cog"]
        if self.source.kind == "citygml":
            return ["cityjson", "cityjsonseq", "citygml", "3dtiles", "gpkg", "geojson", "pmtiles"]
        return list(DEFAULT_VECTOR_OUTPUTS)


class DeclaredDataset(BaseModel):
    """A validated declaration together with where it was loaded from."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    decl: Dataset
    path: Path
    sha256: str

    @property
    def folder(self) -> Path:
        """The dataset's folder (samples are relative to it)."""
        return self.path.parent


def _format_errors(path: Path, error: ValidationError) -> str:
    lines = [f"{path}: invalid dataset declaration"]
    for item in error.errors():
        key = ".".join(str(p) for p in item["loc"]) or "(top level)"
        msg = item["msg"]
        if item["type"] == "extra_forbidden":
            msg = "unknown key"
        elif item["type"] == "missing":
            msg = "required key is missing"
        lines.append(f"  key '{key}': {msg}")
    return "\n".join(lines)


def load_declaration(path: Path) -> DeclaredDataset:
    """Load and validate one ``dataset.yml``; raise DeclarationError naming file, key, problem."""
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise DeclarationError(f"{path}: cannot read declaration: {exc.strerror}") from exc
    try:
        raw = yaml.safe_load(raw_bytes)
    except yaml.YAMLError as exc:
        raise DeclarationError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise DeclarationError(f"{path}: a declaration must be a YAML mapping of keys")
    try:
        decl = Dataset.model_validate(raw)
    except ValidationError as exc:
        raise DeclarationError(_format_errors(path, exc)) from None
    if decl.id != path.parent.name:
        raise DeclarationError(
            f"{path}: key 'id': {decl.id!r} must equal the folder name {path.parent.name!r}"
        )
    for pattern in decl.source.sample:
        if not list(path.parent.glob(pattern)):
            raise DeclarationError(
                f"{path}: key 'source.sample': file {pattern!r} does not exist in {path.parent}"
            )
    canonical = json.dumps(decl.model_dump(mode="json"), sort_keys=True).encode()
    return DeclaredDataset(decl=decl, path=path, sha256=hashlib.sha256(canonical).hexdigest())


def load_all(datasets_dir: Path, ids: list[str] | None = None) -> list[DeclaredDataset]:
    """Load every declaration under ``datasets_dir`` (or the named ones), sorted by id."""
    if not datasets_dir.is_dir():
        raise DeclarationError(f"{datasets_dir}: datasets folder does not exist")
    paths = sorted(datasets_dir.glob("*/dataset.yml"))
    known = {p.parent.name: p for p in paths}
    if ids:
        missing = [i for i in ids if i not in known]
        if missing:
            raise DeclarationError(
                f"unknown dataset(s): {', '.join(missing)}; declared: {', '.join(sorted(known))}"
            )
        paths = [known[i] for i in ids]
    return [load_declaration(p) for p in paths]


def json_schema() -> dict[str, Any]:
    """The JSON Schema of ``dataset.yml``."""
    schema = Dataset.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "opengeodata dataset declaration (dataset.yml)"
    return schema
