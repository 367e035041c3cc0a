"""The OGC web services German SDI users rely on: WMS 1.3.0 at ``/wms``, CSW 2.0.2 at ``/csw``.

Both follow publishes like every other endpoint: per published snapshot, :class:`SdiServices`
writes (once, atomically, under the data dir) the MapServer map file of the live datasets
(:mod:`opengeodata.wms`) and the pycsw repository of their ISO 19139 records
(:mod:`opengeodata.catalogue.csw`); a request uses the ones of the snapshot it was answered
from. Every error is the service's own exception document (WMS ``ServiceExceptionReport``,
OWS ``ExceptionReport``) with a 4xx status (503 when the engine is busy or missing), never a
500.
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
from typing import Any

from flask import Blueprint, Response, request

from opengeodata.catalogue import services
from opengeodata.catalogue.csw import build_repository, prune, repository_key
from opengeodata.catalogue.csw_service import CswService, exception_report, pycsw_config
from opengeodata.catalogue.iso19139 import INSPIRE_THEMES, iso_record
from opengeodata.catalogue.model import Record
from opengeodata.errors import OpenGeoDataError
from opengeodata.server.state import ServerState, Snapshot
from opengeodata.wms import MapServer, MapSnapshot, ServiceInfo, layers_of, write_snapshot
from opengeodata.wms.mapserver import service_exception

LOGGER = logging.getLogger(__name__)
#: largest CSW POST body accepted (GetRecords with a filter is a few kB)
MAX_POST = 1_000_000


def _text(value: Any, default: str = "") -> str:
    if isinstance(value, dict):
        return str(value.get("de") or next(iter(value.values()), default))
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value) if value else default


def service_info(base_url: str, metadata: dict[str, Any], dataset_ids: list[str]) -> ServiceInfo:
    """The WMS service metadata from the catalogue's metadata block."""
    ident = dict(metadata.get("identification") or {})
    contact = dict(metadata.get("contact") or {})
    provider = dict(metadata.get("provider") or {})
    licence = dict(metadata.get("license") or {})
    keywords = ident.get("keywords") or {}
    words = keywords.get("de", []) if isinstance(keywords, dict) else list(keywords)
    constraints = "; ".join(v for v in (_text(licence.get("name")), _text(licence.get("url")))
                            if v) or "keine"
    return ServiceInfo(
        title=_text(ident.get("title"), "Open GeoData"),
        abstract=_text(ident.get("description")) + " – Darstellungsdienst (WMS 1.3.0) aller "
        "veröffentlichten Datensätze.",
        online_resource=services.wms_url(base_url),
        keywords=(*words, "WMS", "infoMapAccessService"),
        organisation=_text(provider.get("name")), person=_text(contact.get("name")),
        email=_text(contact.get("email")), url=_text(contact.get("url")),
        fees="keine", access_constraints=constraints,
        metadata_urls=tuple((i, services.csw_record_url(base_url, i)) for i in dataset_ids),
        data_url=f"{base_url.rstrip('/')}/catalogue/datasets/{{id}}",
    )


class SdiServices:
    """The map file and the CSW repository of the current snapshot, built once per snapshot."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        settings = state.settings
        self.mapserver = MapServer(concurrency=settings.wms_concurrency,
                                   timeout=settings.wms_timeout)
        self.wms_root = settings.data_dir / "wms"
        self.csw_root = settings.data_dir / "csw"
        self._lock = threading.Lock()
        self._maps: tuple[Snapshot, MapSnapshot] | None = None
        self._csw: tuple[Snapshot, CswService] | None = None

    # -- per snapshot --------------------------------------------------------------------
    def map_snapshot(self, snap: Snapshot) -> MapSnapshot:
        """The map file of ``snap``'s published datasets (written on first use)."""
        with self._lock:
            if self._maps is not None and self._maps[0] is snap:
                return self._maps[1]
        store = self.state.store
        triples = []
        for coll in snap.published.datasets():
            if coll.dataset is None or coll.manifest is None:
                continue
            folder = store.dataset_dir(coll.id) / "versions" / coll.manifest.version
            if store.reads_remote:  # MapServer reads files: local copies from object storage
                manifest = coll.manifest
                out = manifest.output("cog") or (manifest.output("gpkg") if manifest.layer
                                                 else None)
                if out is None:
                    continue
                try:
                    folder = store.local_file(coll.id, manifest.version, out.name).parent
                except OpenGeoDataError:
                    continue
            if folder.is_dir():
                triples.append((coll.dataset, coll.manifest, folder))
        layers = layers_of(triples)
        info = service_info(self.state.base_url, dict(snap.published.metadata),
                            [lay.id for lay in layers])
        built = write_snapshot(self.wms_root, info, layers)
        with self._lock:
            self._maps = (snap, built)
        return built

    def csw_service(self, snap: Snapshot) -> CswService:
        """The pycsw service over the repository of ``snap`` (built on first use)."""
        with self._lock:
            if self._csw is not None and self._csw[0] is snap:
                return self._csw[1]
        cat = snap.catalogue
        meta = dict(snap.published.metadata)
        docs = [iso_record(r, self.state.base_url, metadata=meta) for r in cat.records()]
        path = build_repository(self.csw_root / f"{repository_key(docs)}.sqlite", docs)
        prune(self.csw_root, keep=[path])
        updated = max((r.updated for r in cat.records()), default="")
        themes = tuple(sorted({INSPIRE_THEMES[r.theme][1] for r in cat.records()
                               if r.theme in INSPIRE_THEMES}))
        service = CswService(path, pycsw_config(services.csw_url(self.state.base_url), meta,
                                                updated, themes))
        with self._lock:
            self._csw = (snap, service)
        return service


def _response(status: int, content_type: str, body: bytes, etag: str | None = None) -> Response:
    if etag is not None and status == 200:
        if etag in request.if_none_match:
            return Response(status=304, headers={"ETag": f'"{etag}"'})
        response = Response(body, status=status, content_type=content_type)
        response.set_etag(etag)
        return response
    return Response(body, status=status, content_type=content_type)


def _etag(key: str, query: bytes) -> str:
    """Per snapshot and request: the same answer while nothing is published."""
    return f"{key}-{hashlib.sha256(query).hexdigest()[:16]}"


def blueprint(state: ServerState, sdi: SdiServices | None = None) -> Blueprint:
    """The ``/wms`` and ``/csw`` routes."""
    bp = Blueprint("sdi", __name__)
    sdi = sdi or SdiServices(state)

    @bp.route(services.WMS_PATH, methods=["GET", "POST"])
    def wms() -> Response:
        if request.method == "POST":
            answer = service_exception("OperationNotSupported", "this WMS answers HTTP GET "
                                       "requests (key-value pairs)", locator="REQUEST")
            return _response(answer.status, answer.content_type, answer.body)
        try:
            snap = sdi.map_snapshot(state.snapshot())
        except Exception:  # a map file that cannot be written: the service is unavailable
            LOGGER.exception("WMS map file not written")
            answer = service_exception("NoApplicableCode", "the map is not available", 503)
            return _response(answer.status, answer.content_type, answer.body)
        answer = sdi.mapserver.run(snap, request.query_string.decode("latin-1"))
        return _response(answer.status, answer.content_type, answer.body,
                         _etag(snap.key, request.query_string))

    @bp.route(services.CSW_PATH, methods=["GET", "POST"])
    def csw() -> Response:
        length = request.content_length or 0
        if request.method == "POST" and length > MAX_POST:
            answer = exception_report("InvalidParameterValue", f"request body of {length} "
                                      f"bytes; at most {MAX_POST} are accepted", "request")
            return _response(answer.status, answer.content_type, answer.body)
        try:
            service = sdi.csw_service(state.snapshot())
        except Exception:  # records that cannot be built: the service is unavailable
            LOGGER.exception("CSW repository not built")
            answer = exception_report("NoApplicableCode", "the catalogue is not available",
                                      status=503)
            return _response(answer.status, answer.content_type, answer.body)
        environ = dict(request.environ)
        etag = None
        if request.method == "POST":
            body = request.get_data(cache=False)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        else:
            etag = _etag(service.database.stem, request.query_string)
        answer = service.answer(environ)
        return _response(answer.status, answer.content_type, answer.body, etag)

    return bp


def ows_links(base_url: str, record: Record) -> dict[str, str]:
    """The WMS/CSW addresses and QGIS facts of a dataset page (``ows`` in the template)."""
    out = {"csw": services.csw_url(base_url),
           "iso": services.csw_record_url(base_url, record.id)}
    if services.has_wms_layer(record):
        wms = services.wms_url(base_url)
        west, south, east, north = record.bbox or (9.6, 52.3, 9.95, 52.46)
        out.update(
            wms=wms, layer=record.id, layer_title=record.title,
            gdal=(f'gdal_translate -outsize 512 0 "WMS:{wms}?SERVICE=WMS&VERSION=1.3.0'
                  f"&REQUEST=GetMap&LAYERS={record.id}&CRS=EPSG:4326"
                  f'&BBOX={south:.5f},{west:.5f},{north:.5f},{east:.5f}" {record.id}.tif'),
        )
    return out


__all__ = ["SdiServices", "blueprint", "ows_links", "service_info"]
