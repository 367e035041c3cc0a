"""The web catalogue: start page, search with filters, dataset pages with a map preview.

Paths: ``/catalogue/`` (start), ``/catalogue/search``, ``/catalogue/datasets/<id>`` and, for
datasets with 3D Tiles, the 3D viewer ``/catalogue/datasets/<id>/3d``. A browser
asking for ``/`` (HTML preferred, no ``f`` parameter) is redirected to the catalogue; every
other client gets pygeoapi's OGC API landing page there (``/?f=html`` shows its HTML).
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

from opengeodata.catalogue.record import Record
from opengeodata.catalogue.services import csw_url, wms_url
from opengeodata.catalogue.vocab import FORMAT_NAMES
from opengeodata.published import RASTER, RECORDS_ID, Collection
from opengeodata.server import i18n, theme
from opengeodata.server.catalogue import CatalogueCache
from opengeodata.server.sdi import ows_links
from opengeodata.server.state import ServerState, Snapshot
from opengeodata.server.viewer3d import viewer_config
from opengeodata.versioned import with_version

CONTEXT_DATASET = "stadtbezirke"
#: the raster dataset whose map tiles are the base layer of every map preview (the city map)
BASEMAP_DATASET = "stadtkarte"
#: the page's sort choices -> the catalogue's sort keys (last update: newest first)
SORTS = {"relevance": "relevance", "title": "title", "updated": "-updated"}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "worker-src 'self' blob:; child-src 'self' blob:; connect-src 'self'; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)
#: the 3D viewer page only, for what CesiumJS does: its web workers start from blob: URLs that
#: import the worker scripts (blob:), it compiles WebAssembly decoders (Draco, KTX2), its
#: bundled Knockout evaluates code when Cesium.js loads ('unsafe-eval') and its widgets set
#: inline styles. Still nothing remote: every source is this server or the page's own blobs.
CSP_VIEWER = CSP.replace(
    "script-src 'self';", "script-src 'self' blob: 'unsafe-eval' 'wasm-unsafe-eval';"
).replace("style-src 'self';", "style-src 'self' 'unsafe-inline';")
VIEWER_LABELS = ("v3d_nowebgl", "v3d_colour_by", "v3d_roof", "v3d_function", "v3d_other",
                 "v3d_imagery", "v3d_attributes", "v3d_loading", "v3d_error", "v3d_terrain")


def human_size(size: int, lang: str) -> str:
    """1536 -> '1,5 KB' (de) / '1.5 KB' (en)."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            text = f"{value:.0f}" if unit == "B" else f"{value:.1f}"
            return f"{text.replace('.', ',') if lang == 'de' else text} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover


def short_date(iso: str, lang: str) -> str:
    """'2026-11-26T05:01:02Z' -> '26.11.2026, 05:01 UTC' (de) / '2026-11-26 05:01 UTC' (en)."""
    date, _, time = iso.partition("T")
    parts = date.split("-")
    hm = time[:5]
    if lang == "de" and len(parts) == 3:
        date = f"{parts[2]}.{parts[1]}.{parts[0]}"
        return f"{date}, {hm} UTC" if hm else date
    return f"{date} {hm} UTC" if hm else date


def raster_tiles(coll: Collection | None) -> str | None:
    """URL template of the raster map tiles of a collection (of its live version: cached as
    immutable), if it has them."""
    if coll is not None and coll.coverage is not None:
        return with_version(f"/collections/{coll.id}/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}"
                            "?f=png", coll.version)
    return None


def native_zoom(resolution_m: float, lat: float) -> int:
    """The WebMercatorQuad zoom whose pixels are about ``resolution_m`` on the ground."""
    ground = 2 * math.pi * 6378137.0 * math.cos(math.radians(lat)) / 256
    return max(0, min(24, math.ceil(math.log2(ground / max(resolution_m, 1e-3)))))


def basemap(snap: Snapshot, dataset_id: str) -> dict[str, Any] | None:
    """The base layer of a map preview: the city map's raster tiles, where it is published."""
    tiles = raster_tiles(snap.published.get(BASEMAP_DATASET))
    manifest = snap.manifests.get(BASEMAP_DATASET)
    if dataset_id == BASEMAP_DATASET or tiles is None or manifest is None:
        return None
    config: dict[str, Any] = {"tiles": tiles, "maxzoom": 18, "attribution": ""}
    declared = snap.datasets.get(BASEMAP_DATASET)
    if declared is not None:
        config["attribution"] = declared.decl.licence.attribution
    if manifest.extent is not None:
        west, south, east, north = manifest.extent.bbox_crs84
        config["bounds"] = [west, south, east, north]
        resolution = (manifest.quality.checks.get("raster") or {}).get("resolution_m")
        if isinstance(resolution, int | float):
            config["maxzoom"] = native_zoom(float(resolution), (south + north) / 2)
    return config


def blueprint(state: ServerState, catalogue: CatalogueCache | None = None) -> Blueprint:
    """The catalogue pages (``catalogue``: the app's shared catalogue cache)."""
    bp = Blueprint("web", __name__)
    catalogue = catalogue or CatalogueCache(state)

    def lang() -> str:
        return i18n.choose_language(request.args.get("lang"), request.accept_languages)

    def link(endpoint: str, **values: Any) -> str:
        """url_for that keeps an explicit ``?lang=``."""
        if "lang" in request.args and "lang" not in values:
            values["lang"] = lang()
        return url_for(endpoint, **values)

    def page(template: str, status: int = 200, csp: str = CSP, **context: Any) -> Response:
        current = lang()
        other = "en" if current == "de" else "de"
        args = request.args.to_dict(flat=False)
        args["lang"] = [other]
        html = render_template(
            template, lang=current, t=i18n.translator(current), link=link,
            switch_url=f"{request.path}?{urlencode(args, doseq=True)}",
            theme_label=lambda key: i18n.label(i18n.THEMES, key, current),
            frequency_label=lambda key: i18n.label(i18n.FREQUENCIES, key, current),
            format_name=lambda key: FORMAT_NAMES.get(key, key),
            size=lambda n: human_size(n, current), date=lambda s: short_date(s, current),
            **context,
        )
        response = Response(html, status=status, mimetype="text/html")
        response.headers["Content-Language"] = current
        response.headers["Vary"] = "Accept-Language"
        response.headers["Content-Security-Policy"] = csp
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    bp.before_app_request(theme.forget_translated_config)

    @bp.before_app_request
    def _browser_root() -> Response | None:
        """A browser opening ``/`` gets the catalogue (OGC clients keep the landing page)."""
        if request.path != "/" or "f" in request.args or request.method != "GET":
            return None
        accept = request.accept_mimetypes
        if accept.best_match(["application/json", "text/html"]) != "text/html":
            return None
        if accept["text/html"] <= accept["application/json"]:
            return None
        target = url_for("web.start")
        if "lang" in request.args:
            target += f"?lang={lang()}"
        response = redirect(target, code=303)
        response.headers["Vary"] = "Accept"
        return response  # type: ignore[return-value]

    @bp.after_app_request
    def _vary_root(response: Response) -> Response:
        """``/`` depends on Accept (catalogue for browsers), so caches must key on it."""
        if request.path == "/":
            response.vary.add("Accept")
        return response

    @bp.route("/catalogue/")
    def start() -> Response:
        cat = catalogue.get()
        items = cat.records()
        counts = cat.themes()
        themes = list(i18n.MAIN_THEMES) + sorted(k for k in counts if k not in i18n.MAIN_THEMES)
        grouped = {theme: [e for e in items if e.theme == theme] for theme in themes}
        return page("catalogue/start.html", items=items, themes=themes, grouped=grouped,
                    counts=counts, ows_wms=wms_url(state.base_url),
                    ows_csw=csw_url(state.base_url))

    @bp.route("/catalogue/search")
    def search_page() -> Response:
        cat = catalogue.get()
        q = request.args.get("q", "").strip()[:200]
        chosen = {key: [v for v in request.args.getlist(key) if v] for key in
                  ("theme", "format", "licence")}
        sort = request.args.get("sort", "")
        sort = sort if sort in SORTS else ("relevance" if q else "title")
        records = cat.search(q or None, theme=chosen["theme"] or None,
                             fmt=chosen["format"] or None, licence=chosen["licence"] or None,
                             sort=SORTS[sort])
        hits = records
        # facet counts over the text matches, so each count says what that filter would add
        counts = cat.facets(cat.search(q or None) if q else None)
        for key, values in chosen.items():
            for value in values:
                counts[key].setdefault(value, 0)
        return page("catalogue/search.html", q=q, hits=hits, chosen=chosen, sort=sort,
                    facets=counts, sorts=list(SORTS))

    @bp.route("/catalogue/datasets/<dataset_id>")
    def dataset(dataset_id: str) -> Response:
        snap = state.snapshot()
        entry = snap.catalogue.record(dataset_id)
        if entry is None:
            return page("catalogue/not_found.html", status=404, dataset_id=dataset_id)
        coll = snap.published.get(dataset_id)
        viewer = (link("web.viewer3d", dataset_id=dataset_id)
                  if coll is not None and coll.tiles3d is not None else None)
        return page("catalogue/dataset.html", e=entry, api=api_links(snap, entry),
                    ows=ows_links(state.base_url, entry),
                    map_config=map_config(snap, entry, lang()),
                    raster=entry.collection_kind == RASTER, viewer_url=viewer)

    @bp.route("/catalogue/datasets/<dataset_id>/3d")
    def viewer3d(dataset_id: str) -> Response:
        snap = state.snapshot()
        entry = snap.catalogue.record(dataset_id)
        coll = snap.published.get(dataset_id)
        if entry is None or coll is None or coll.tiles3d is None:
            return page("catalogue/not_found.html", status=404, dataset_id=dataset_id)
        t = i18n.translator(lang())
        config = viewer_config(snap, dataset_id, lang(), {key: t(key) for key in VIEWER_LABELS})
        return page("catalogue/viewer3d.html", csp=CSP_VIEWER, e=entry, config=config)

    def api_links(snap: Snapshot, entry: Record) -> dict[str, str]:
        base = state.base_url
        coll = snap.published.get(entry.id)
        links: dict[str, str] = {"landing": f"{base}/"}
        if coll is not None and coll.features is not None:
            links["features"] = f"{base}/collections/{entry.id}/items"
            links["gdal"] = f"ogr2ogr {entry.id}.gpkg OAPIF:{base}/collections/{entry.id}"
        if coll is not None and (coll.vector_tiles or coll.coverage):
            links["tiles"] = f"{base}/collections/{entry.id}/tiles"
        if coll is not None and coll.coverage is not None:
            links["coverage"] = f"{base}/collections/{entry.id}/coverage"
        if coll is not None and coll.tiles3d is not None:
            links["tiles3d"] = f"{base}/collections/{entry.id}/3dtiles/tileset.json"
        cog = next((o for o in entry.downloads if o.format == "cog"), None)
        if cog and "gdal" not in links:
            links["gdal"] = f"gdalinfo /vsicurl/{base}/downloads/{entry.id}/{cog.name}"
        if entry.pmtiles:
            links["pmtiles"] = f"{base}/downloads/{entry.id}/{entry.pmtiles.name}"
        if RECORDS_ID in snap.published.collections:
            links["records"] = f"{base}/collections/{RECORDS_ID}/items/{entry.id}"
        if "catalogue.dcat_dataset" in current_app.view_functions:
            links["dcat"] = base + url_for("catalogue.dcat_dataset", dataset_id=entry.id)
        if "catalogue.atom_dataset" in current_app.view_functions:
            links["atom"] = base + url_for("catalogue.atom_dataset", dataset_id=entry.id)
        return links

    def map_config(snap: Snapshot, entry: Record, current: str) -> dict[str, Any] | None:
        t = i18n.translator(current)
        config: dict[str, Any] = {
            "id": entry.id, "bbox": entry.bbox, "geometry": entry.geometry_type or "",
            "minzoom": entry.minzoom, "maxzoom": entry.maxzoom,
            "labels": {"context": t("map_context")},
        }
        live = snap.manifests.get(entry.id)
        if entry.pmtiles and live is not None:  # the live version's file: immutable
            config["pmtiles"] = url_for("downloads.versioned", dataset_id=entry.id,
                                        version=live.version, name=entry.pmtiles.name)
        elif tiles := raster_tiles(snap.published.get(entry.id)):
            config["raster"] = tiles
        else:
            return None
        if base := basemap(snap, entry.id):
            config["basemap"] = base
        context = snap.manifests.get(CONTEXT_DATASET)
        context_tiles = context.output("pmtiles") if context else None
        if context is not None and context_tiles and entry.id != CONTEXT_DATASET:
            config["context"] = {
                "id": CONTEXT_DATASET,
                "pmtiles": url_for("downloads.versioned", dataset_id=CONTEXT_DATASET,
                                   version=context.version, name=context_tiles.name),
            }
        return config

    return bp
