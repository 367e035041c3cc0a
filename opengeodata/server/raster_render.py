"""Render map tiles and coverage subsets from a live COG with rio-tiler (pure functions).

Readers are cached per thread and per COG checksum: a tile request opens nothing, reads only
the COG blocks (of the best overview) that the tile covers, and a new published version is
picked up because its checksum differs.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import morecantile
import rasterio
from pyproj import CRS, Transformer
from pyproj.exceptions import ProjError
from rasterio.crs import CRS as RioCRS
from rio_tiler.errors import TileOutsideBounds
from rio_tiler.io import Reader
from werkzeug.datastructures import MultiDict

from opengeodata.errors import InvalidRequestError, NotFoundError, ResponseTooLargeError

TMS_ID = "WebMercatorQuad"
TILE_SIZE = 256
#: Zoom levels beyond the native resolution that are still served (upsampled).
OVERZOOM = 2
MAX_ZOOM = 24  # the levels of WebMercatorQuad
#: Largest coverage response, in pixels per side.
MAX_COVERAGE_SIDE = 4096
#: Largest coverage response in pixels (width x height): the work one request may cause.
MAX_COVERAGE_PIXELS = 2048 * 2048
#: A request without scale-size/scale-factor/width/height is scaled down to fit this side.
DEFAULT_COVERAGE_SIDE = 1024

TILE_FORMATS = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
FORMAT_ALIASES = {"png": "png", "jpeg": "jpeg", "jpg": "jpeg", "webp": "webp"}
COVERAGE_FORMATS = {
    "gtiff": ("GTiff", "image/tiff; application=geotiff", "tif"),
    "tif": ("GTiff", "image/tiff; application=geotiff", "tif"),
    "geotiff": ("GTiff", "image/tiff; application=geotiff", "tif"),
    "png": ("PNG", "image/png", "png"),
    "jpeg": ("JPEG", "image/jpeg", "jpg"),
    "jpg": ("JPEG", "image/jpeg", "jpg"),
}
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CRS84_RIO = RioCRS.from_epsg(4326)


@dataclass(frozen=True)
class Cog:
    """The live COG of one raster dataset."""

    dataset: str
    #: what GDAL opens: a local path or ``/vsis3/bucket/key`` (object storage)
    path: str
    sha256: str
    crs: str
    #: GDAL configuration for ``path`` (the /vsis3/ endpoint); empty for local files
    gdal_options: tuple[tuple[str, str], ...] = ()


class ReaderCache:
    """rio-tiler Readers kept open per thread (GDAL handles are not shared across threads)."""

    def __init__(self, size: int = 8) -> None:
        self._local = threading.local()
        self._size = size
        #: every thread's cache: closed at close(); a finished thread's at the next new one
        self._caches: list[tuple[threading.Thread, OrderedDict[str, Reader]]] = []
        self._lock = threading.Lock()

    def get(self, cog: Cog) -> Reader:
        """An open Reader for ``cog``; opened once per thread and version."""
        cache: OrderedDict[str, Reader] | None = getattr(self._local, "readers", None)
        if cache is None:
            # the thread's own GDAL environment, entered for good: a dataset opened in a thread
            # without one enters its own and must be closed in that thread, else its close (or
            # its __del__ at the interpreter's shutdown) raises "No GDAL environment exists"
            if not rasterio.env.hasenv():
                self._local.env = rasterio.Env.from_defaults().__enter__()
            cache = self._local.readers = OrderedDict()
            with self._lock:
                ended = [c for t, c in self._caches if not t.is_alive()]
                self._caches = [(t, c) for t, c in self._caches if t.is_alive()]
                self._caches.append((threading.current_thread(), cache))
            _close_all(ended)
        reader = cache.get(cog.sha256)
        if reader is None:
            for key, value in cog.gdal_options:  # GDAL reads its configuration from the
                os.environ.setdefault(key, value)  # environment (the store sets it, too)
            reader = Reader(cog.path)
            cache[cog.sha256] = reader
            while len(cache) > self._size:
                _, old = cache.popitem(last=False)
                old.close()
        else:
            cache.move_to_end(cog.sha256)
        return reader

    def close(self) -> None:
        """Close every thread's Readers (at worker exit, no request running).

        Left to the end of its thread or the interpreter's shutdown, each open dataset's
        ``__del__`` printed a traceback (its GDAL environment belongs to the thread that
        opened it and is gone); the cache holds them until closed here.
        """
        with self._lock:
            caches, self._caches = [c for _, c in self._caches], []
        _close_all(caches)


def _close_all(caches: list[OrderedDict[str, Reader]]) -> None:
    """Close the readers of ``caches`` from any thread (rasterio's complaint that the opening
    thread's GDAL environment is not this one's is caught once; the dataset is closed)."""
    for cache in caches:
        while cache:
            _, reader = cache.popitem()
            with contextlib.suppress(Exception):
                reader.close()


def tile_format(requested: str | None, accept: str | None) -> str:
    """The tile format from ``f`` (png, jpeg/jpg, webp) or the Accept header; default png."""
    if requested:
        fmt = FORMAT_ALIASES.get(requested.lower())
        if fmt is None:
            raise InvalidRequestError(
                f"unsupported tile format f={requested!r}; use png, jpeg or webp")
        return fmt
    for part in (accept or "").split(","):
        media = part.split(";")[0].strip().lower()
        for fmt, mime in TILE_FORMATS.items():
            if media == mime:
                return fmt
    return "png"


def tile_index(tile_matrix: str, tile_row: str, tile_col: str) -> tuple[int, int, int]:
    """(z, y, x) from the path; InvalidRequestError when not a tile of WebMercatorQuad."""
    try:
        z, y, x = int(tile_matrix), int(tile_row), int(tile_col)
    except ValueError:
        raise InvalidRequestError(
            f"tileMatrix, tileRow and tileCol must be integers, got "
            f"{tile_matrix!r}/{tile_row!r}/{tile_col!r}") from None
    if not 0 <= z <= MAX_ZOOM:
        raise InvalidRequestError(f"tileMatrix {z} is not in {TMS_ID} (0-{MAX_ZOOM})")
    if not (0 <= x < 2**z and 0 <= y < 2**z):
        raise InvalidRequestError(
            f"tileRow {y} / tileCol {x} are outside tile matrix {z} (0-{2**z - 1})")
    return z, y, x


def render_tile(reader: Reader, z: int, y: int, x: int, fmt: str) -> bytes:
    """The encoded map tile; NotFoundError outside the data extent or zoom range."""
    if z > reader.maxzoom + OVERZOOM:
        raise NotFoundError(
            f"tile {z}/{y}/{x}: zoom {z} is beyond the finest level of this raster "
            f"({reader.maxzoom + OVERZOOM})")
    try:
        image = reader.tile(x, y, z, tilesize=TILE_SIZE)
    except TileOutsideBounds:
        raise NotFoundError(f"tile {z}/{y}/{x} lies outside the extent of the raster") from None
    if fmt == "jpeg":
        return bytes(image.render(img_format="JPEG", add_mask=False, quality=85))
    if fmt == "webp":
        return bytes(image.render(img_format="WEBP", quality=85))
    return bytes(image.render(img_format="PNG"))


def tileset_limits(reader: Reader) -> list[dict[str, int | str]]:
    """OGC tileMatrixSetLimits of the raster from its min to its max zoom."""
    tms = morecantile.tms.get(TMS_ID)
    west, south, east, north = reader.get_geographic_bounds(CRS84_RIO)
    limits: list[dict[str, int | str]] = []
    for z in range(reader.minzoom, reader.maxzoom + OVERZOOM + 1):
        ul = tms.tile(west, north, z)
        lr = tms.tile(east, south, z)
        limits.append({"tileMatrix": str(z), "minTileRow": ul.y, "maxTileRow": lr.y,
                       "minTileCol": ul.x, "maxTileCol": lr.x})
    return limits


# --- coverages -------------------------------------------------------------------------------

def _floats(value: str, count: int, name: str) -> list[float]:
    try:
        numbers = [float(v) for v in value.split(",")]
    except ValueError:
        raise InvalidRequestError(f"{name} must be {count} comma-separated numbers") from None
    if len(numbers) != count or not all(math.isfinite(v) for v in numbers):
        raise InvalidRequestError(f"{name} must be {count} comma-separated numbers")
    return numbers


def parse_crs_param(value: str | None, default: str, name: str) -> CRS:
    """A CRS from an OGC URI or EPSG code parameter."""
    text = value or default
    try:
        return CRS.from_user_input(text)
    except Exception:
        raise InvalidRequestError(f"{name}: unknown CRS {text!r}") from None


SUBSET_RE = re.compile(r"^\s*(\w+)\(\s*([^:()]+?)\s*:\s*([^:()]+?)\s*\)\s*$")
X_AXES = {"e", "x", "lon", "long", "longitude", "easting"}
Y_AXES = {"n", "y", "lat", "latitude", "northing"}


def parse_subset(value: str) -> tuple[float, float, float, float] | None:
    """``E(a:b),N(c:d)`` (or x/y, Lon/Lat) -> (minx, miny, maxx, maxy); missing axes open."""
    x_range: tuple[float, float] | None = None
    y_range: tuple[float, float] | None = None
    for part in re.split(r",(?=\s*\w+\()", value):
        match = SUBSET_RE.match(part)
        if not match:
            raise InvalidRequestError(f"subset {part!r} is not of the form axis(low:high)")
        axis, low_text, high_text = match.groups()
        try:
            low, high = float(low_text), float(high_text)
        except ValueError:
            raise InvalidRequestError(f"subset {part!r}: bounds must be numbers") from None
        if low >= high:
            raise InvalidRequestError(f"subset {part!r}: low must be less than high")
        if axis.lower() in X_AXES:
            x_range = (low, high)
        elif axis.lower() in Y_AXES:
            y_range = (low, high)
        else:
            raise InvalidRequestError(f"subset: unknown axis {axis!r}; use E and N")
    if x_range is None and y_range is None:
        return None
    inf = math.inf
    xs = x_range or (-inf, inf)
    ys = y_range or (-inf, inf)
    return xs[0], ys[0], xs[1], ys[1]


@dataclass(frozen=True)
class CoverageRequest:
    """A validated coverage request: area in the raster CRS, output size and format."""

    bbox: tuple[float, float, float, float]
    width: int
    height: int
    driver: str
    media_type: str
    extension: str
    #: native (width, height) when an unscaled request was scaled down to the size limit
    scaled_from: tuple[int, int] | None = None


def _to_native(bbox: tuple[float, float, float, float], crs: CRS, native: CRS,
               name: str = "bbox") -> tuple[float, float, float, float]:
    """``bbox`` (x/y order) in ``native``; 400 naming ``name`` when it cannot be mapped."""
    if crs.is_geographic and all(math.isfinite(v) for v in bbox) and (
            min(bbox[0], bbox[2]) < -180 or max(bbox[0], bbox[2]) > 180
            or min(bbox[1], bbox[3]) < -90 or max(bbox[1], bbox[3]) > 90):
        raise InvalidRequestError(f"{name}: {list(bbox)} is out of range for {crs.name} "
                                  "(longitude -180..180, latitude -90..90)")
    if crs == native:
        return bbox
    try:
        transformer = Transformer.from_crs(crs, native, always_xy=True)
        minx, miny, maxx, maxy = transformer.transform_bounds(*bbox, densify_pts=21)
    except (ProjError, ValueError) as exc:
        raise InvalidRequestError(
            f"{name}-crs: cannot map {crs.name!r} to the coverage CRS {native.name!r}: "
            f"{str(exc).splitlines()[0][:200]}") from None
    out = (minx, miny, maxx, maxy)
    if not all(math.isfinite(v) for v in out):
        raise InvalidRequestError(f"{name}: {list(bbox)} lies outside the area where "
                                  f"{crs.name!r} maps to {native.name!r}")
    return out


#: the query parameters of ``/coverage`` (OGC API Coverages 1.0 names, plus width/height,
#: and ``v``, the data version the links carry: :mod:`opengeodata.versioned`)
COVERAGE_PARAMS = ("f", "lang", "bbox", "bbox-crs", "subset", "subset-crs", "scale-size",
                   "scale-factor", "scale-axes", "width", "height", "v")
#: older spellings (OGC API Coverages drafts; GDAL 3.6's OGCAPI driver sends scaleSize)
COVERAGE_PARAM_ALIASES = {"scaleSize": "scale-size", "scaleFactor": "scale-factor",
                          "scaleAxes": "scale-axes", "bbox_crs": "bbox-crs",
                          "subset_crs": "subset-crs", "subsetCrs": "subset-crs"}
SCALE_PARAMS = ("scale-size", "scale-factor", "scale-axes", "width", "height")


def coverage_args(args: MultiDict[str, str]) -> dict[str, str]:
    """The coverage query parameters under their current names; 400 naming an unknown or
    repeated parameter (as ``/items`` does)."""
    out: dict[str, str] = {}
    unknown = sorted(k for k in args if k not in COVERAGE_PARAMS
                     and k not in COVERAGE_PARAM_ALIASES)
    if unknown:
        raise InvalidRequestError(
            f"unknown query parameter(s): {', '.join(unknown)}; allowed: "
            f"{', '.join(COVERAGE_PARAMS)}")
    for key in args:
        values = args.getlist(key)
        name = COVERAGE_PARAM_ALIASES.get(key, key)
        if len(values) > 1 or name in out:
            raise InvalidRequestError(f"parameter {name!r} is given more than once")
        out[name] = values[0]
    if sum(1 for k in ("scale-size", "scale-factor", "scale-axes") if out.get(k)) > 1:
        raise InvalidRequestError("give only one of scale-size, scale-factor and scale-axes")
    return out


def coverage_request(args: dict[str, str], reader: Reader, native: str) -> CoverageRequest:
    """Validate bbox/bbox-crs, subset/subset-crs, scale-size/scale-factor/scale-axes/width/
    height and f (``args`` from :func:`coverage_args`)."""
    native_crs = CRS.from_user_input(native)
    full = tuple(float(v) for v in reader.bounds)
    area: tuple[float, float, float, float] = (full[0], full[1], full[2], full[3])
    if args.get("bbox"):
        minx, miny, maxx, maxy = _floats(args["bbox"], 4, "bbox")
        if minx >= maxx or miny >= maxy:
            raise InvalidRequestError("bbox must be minx,miny,maxx,maxy with min < max")
        crs = parse_crs_param(args.get("bbox-crs"), CRS84, "bbox-crs")
        area = _to_native((minx, miny, maxx, maxy), crs, native_crs)
    if args.get("subset"):
        subset = parse_subset(args["subset"])
        if subset is not None:
            crs = parse_crs_param(args.get("subset-crs"), native, "subset-crs")
            if crs != native_crs and not all(math.isfinite(v) for v in subset):
                raise InvalidRequestError("subset in another CRS needs both axes")
            sub = (_to_native(subset, crs, native_crs, "subset") if crs != native_crs
                   else subset)
            area = (max(area[0], sub[0]), max(area[1], sub[1]),
                    min(area[2], sub[2]), min(area[3], sub[3]))
    clipped = (max(area[0], full[0]), max(area[1], full[1]),
               min(area[2], full[2]), min(area[3], full[3]))
    if clipped[0] >= clipped[2] or clipped[1] >= clipped[3]:
        raise NotFoundError("the requested area does not intersect the coverage "
                            f"(extent {list(full)} in {native})")
    res_x, res_y = (abs(v) for v in reader.dataset.res)
    native_w = max(1, round((clipped[2] - clipped[0]) / res_x))
    native_h = max(1, round((clipped[3] - clipped[1]) / res_y))
    width, height = _scaled_size(args, native_w, native_h)
    scaled_from = None
    unscaled = not any(args.get(k) for k in SCALE_PARAMS)
    if unscaled and max(width, height) > DEFAULT_COVERAGE_SIDE:
        # a plain request (e.g. the advertised coverage link) gets the whole area, scaled down
        # (read from the COG's overviews): cheap by default, more only when asked for
        ratio = DEFAULT_COVERAGE_SIDE / max(width, height)
        scaled_from = (width, height)
        width = min(DEFAULT_COVERAGE_SIDE, max(1, round(width * ratio)))
        height = min(DEFAULT_COVERAGE_SIDE, max(1, round(height * ratio)))
    if width > MAX_COVERAGE_SIDE or height > MAX_COVERAGE_SIDE:
        raise InvalidRequestError(
            f"the response would be {width} x {height} pixels; the limit is "
            f"{MAX_COVERAGE_SIDE} per side: request a smaller bbox/subset or scale it down "
            "with scale-size=width(w),height(h) or scale-factor=f")
    if width * height > MAX_COVERAGE_PIXELS:
        raise ResponseTooLargeError(
            f"the response would be {width} x {height} = {width * height:,} pixels; one "
            f"request may have at most {MAX_COVERAGE_PIXELS:,} (e.g. 2048 x 2048): request a "
            "smaller bbox/subset or scale-size, or download the COG "
            "(/downloads/{id}/latest/cog)")
    fmt = (args.get("f") or "gtiff").lower()
    if fmt not in COVERAGE_FORMATS:
        raise InvalidRequestError(f"unsupported coverage format f={fmt!r}; use GTiff, png, jpeg")
    driver, media_type, extension = COVERAGE_FORMATS[fmt]
    return CoverageRequest(clipped, width, height, driver, media_type, extension, scaled_from)


def _positive_int(value: str, name: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise InvalidRequestError(f"{name} must be a positive integer, got {value!r}") from None
    if number < 1:
        raise InvalidRequestError(f"{name} must be a positive integer, got {value!r}")
    return number


def _factor(value: str, name: str) -> float:
    try:
        factor = float(value)
    except ValueError:
        raise InvalidRequestError(f"{name} must be a positive number, got {value!r}") from None
    if not (math.isfinite(factor) and factor > 0):
        raise InvalidRequestError(f"{name} must be a positive number, got {value!r}")
    return factor


def _fit(width: float, height: float, name: str, value: str) -> tuple[int, int]:
    """A scaled size in pixels; 400 naming ``name`` when it cannot fit (5e-324 gives inf)."""
    if not max(width, height) <= MAX_COVERAGE_SIDE:
        raise InvalidRequestError(
            f"{name}={value} gives {width:.6g} x {height:.6g} pixels; the limit is "
            f"{MAX_COVERAGE_SIDE} per side")
    return max(1, round(width)), max(1, round(height))


def _scaled_size(args: dict[str, str], native_w: int, native_h: int) -> tuple[int, int]:
    """Output size from scale-size, scale-factor, scale-axes or width/height (aspect kept if
    one side is given)."""
    width = height = None
    if args.get("scale-size"):
        for part in args["scale-size"].split(","):
            match = re.fullmatch(r"\s*(\w+)\((\d+)\)\s*", part)
            if not match:
                raise InvalidRequestError(
                    f"scale-size {part!r} is not of the form axis(size), e.g. E(512)")
            axis, size = match.group(1).lower(), _positive_int(match.group(2), "scale-size")
            if axis in X_AXES | {"width", "i"}:
                width = size
            elif axis in Y_AXES | {"height", "j"}:
                height = size
            else:
                raise InvalidRequestError(f"scale-size: unknown axis {axis!r}; use E and N")
    elif args.get("scale-factor"):
        factor = _factor(args["scale-factor"], "scale-factor")
        return _fit(native_w / factor, native_h / factor, "scale-factor",
                    args["scale-factor"])
    elif args.get("scale-axes"):
        fx = fy = 1.0
        for part in args["scale-axes"].split(","):
            match = re.fullmatch(r"\s*(\w+)\(([^()]*)\)\s*", part)
            if not match:
                raise InvalidRequestError(
                    f"scale-axes {part!r} is not of the form axis(factor), e.g. E(2)")
            axis, factor = match.group(1).lower(), _factor(match.group(2), "scale-axes")
            if axis in X_AXES | {"i"}:
                fx = factor
            elif axis in Y_AXES | {"j"}:
                fy = factor
            else:
                raise InvalidRequestError(f"scale-axes: unknown axis {axis!r}; use E and N")
        return _fit(native_w / fx, native_h / fy, "scale-axes", args["scale-axes"])
    else:
        if args.get("width"):
            width = _positive_int(args["width"], "width")
        if args.get("height"):
            height = _positive_int(args["height"], "height")
    if width is None and height is None:
        return native_w, native_h
    if width is None:
        assert height is not None
        width = max(1, round(native_w * height / native_h))
    if height is None:
        height = max(1, round(native_h * width / native_w))
    return width, height


def render_coverage(reader: Reader, req: CoverageRequest, native: str) -> bytes:
    """The coverage subset, resampled to the requested size, in the raster's CRS."""
    crs = RioCRS.from_user_input(native)
    image = reader.part(req.bbox, dst_crs=crs, bounds_crs=crs, width=req.width,
                        height=req.height, max_size=None)
    if req.driver == "GTiff":
        return bytes(image.render(img_format="GTiff", add_mask=False, compress="deflate"))
    if req.driver == "JPEG":
        return bytes(image.render(img_format="JPEG", add_mask=False, quality=90))
    # zlib level 1: a few percent bigger, several times faster than the default 6
    return bytes(image.render(img_format="PNG", ZLEVEL=1))
