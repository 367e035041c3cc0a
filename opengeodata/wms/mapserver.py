"""Run MapServer's ``mapserv`` for one WMS request, as a CGI subprocess.

Why a subprocess per request (and not FastCGI or mapscript): Debian's ``python3-mapscript``
is built for Debian's own Python, not the project's 3.12 venv, and PyPI's ``mapscript`` is a
source package for another MapServer release; a FastCGI pool would need a FastCGI client and
process supervision in every gunicorn worker. A CGI run is isolated (a crash, leak or stuck
render of MapServer cannot harm the worker), needs nothing but the Debian package, and its
start-up (tens of milliseconds) is shown next to the OGC API map tiles in ``make bench``.

Each worker runs at most ``concurrency`` renders at a time (more wait, up to ``timeout``);
a render is killed after ``timeout`` seconds. Every failure is a WMS 1.3.0
``ServiceExceptionReport``, never a bare error page.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode
from xml.sax.saxutils import escape

from opengeodata.wms.mapfile import MapSnapshot

LOGGER = logging.getLogger(__name__)
EXCEPTION_TYPE = "text/xml; charset=UTF-8"
#: exception codes that name a client mistake (OGC WMS 1.3.0, Annex A and E)
CLIENT_CODES = frozenset({
    "InvalidFormat", "InvalidCRS", "LayerNotDefined", "StyleNotDefined", "LayerNotQueryable",
    "InvalidPoint", "CurrentUpdateSequence", "InvalidUpdateSequence", "MissingDimensionValue",
    "InvalidDimensionValue", "OperationNotSupported", "MissingParameterValue",
    "InvalidParameterValue", "InvalidSRS",
})


@dataclass(frozen=True)
class WmsAnswer:
    """What the view sends back."""

    status: int
    content_type: str
    body: bytes


def service_exception(code: str, message: str, status: int = 400,
                      locator: str | None = None) -> WmsAnswer:
    """A WMS 1.3.0 ``ServiceExceptionReport`` with one exception."""
    loc = f' locator="{escape(locator, {chr(34): "&quot;"})}"' if locator else ""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ServiceExceptionReport version="1.3.0" xmlns="http://www.opengis.net/ogc" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.opengis.net/ogc '
        'http://schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd">\n'
        f'  <ServiceException code="{escape(code)}"{loc}>{escape(message)}</ServiceException>\n'
        "</ServiceExceptionReport>\n"
    )
    return WmsAnswer(status, EXCEPTION_TYPE, body.encode())


#: the operations offered (WMS 1.3.0 plus the SLD profile's GetLegendGraphic)
OPERATIONS = ("GetCapabilities", "GetMap", "GetFeatureInfo", "GetLegendGraphic")
#: MapServer 8 names a bad CRS of a 1.3.0 request with the 1.1.1 code
CODE_FIXES = ((b'code="InvalidSRS"', b'code="InvalidCRS"'),)
#: markers of a MapServer message that is the server's fault (data missing), not the client's
SERVER_FAULTS = (b"Unable to access file", b"msOGRFileOpen", b"msDrawMap", b"Failed to draw")


def check_request(query: str, snap: MapSnapshot | None = None) -> WmsAnswer | None:
    """A service exception for a request MapServer should not see (no/unknown REQUEST, a
    SERVICE other than WMS, a raster layer in QUERY_LAYERS), else None."""
    params = {k.lower(): v for k, v in parse_qsl(query, keep_blank_values=True)}
    service = params.get("service")
    if service is not None and service.upper() != "WMS":
        return service_exception("InvalidParameterValue", f"SERVICE={service!r}: this "
                                 "endpoint is a WMS (SERVICE=WMS)", locator="SERVICE")
    request = params.get("request")
    if not request:
        return service_exception("MissingParameterValue", "parameter REQUEST is missing "
                                 f"(one of {', '.join(OPERATIONS)})", locator="REQUEST")
    if request.lower() not in {op.lower() for op in OPERATIONS}:
        return service_exception("OperationNotSupported", f"REQUEST={request!r} is not "
                                 f"offered (one of {', '.join(OPERATIONS)})", locator="REQUEST")
    if snap is not None and request.lower() == "getfeatureinfo":
        for name in params.get("query_layers", "").split(","):
            if name in snap.layers and name not in snap.queryable:
                return service_exception("LayerNotQueryable", f"layer {name!r} is a raster "
                                         "layer: GetFeatureInfo answers for vector layers",
                                         locator="QUERY_LAYERS")
    return None


def clean_query(query: str) -> str:
    """The request's parameters without ``map`` (clients never choose the map file)."""
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, v) for k, v in pairs if k.lower() != "map"])


def parse_cgi(output: bytes) -> tuple[dict[str, str], bytes]:
    """CGI output -> (lower-case headers, body)."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        head, found, body = output.partition(sep)
        if found:
            break
    else:
        return {}, output
    headers = {}
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return headers, body


def exception_code(body: bytes) -> str | None:
    """The first exception code of a ServiceExceptionReport body, or None if it is none."""
    if b"ServiceExceptionReport" not in body[:2000]:
        return None
    marker = body.find(b'code="')
    if marker < 0:
        return "NoApplicableCode"
    end = body.find(b'"', marker + 6)
    return body[marker + 6:end].decode("ascii", "replace")


class MapServer:
    """Runs ``mapserv`` with bounded concurrency and a timeout."""

    def __init__(self, binary: str = "mapserv", concurrency: int = 2,
                 timeout: float = 30.0) -> None:
        self.binary = shutil.which(binary) or binary
        self.timeout = timeout
        self._slots = threading.BoundedSemaphore(concurrency)

    def available(self) -> bool:
        """Whether the ``mapserv`` executable exists."""
        return shutil.which(self.binary) is not None

    def run(self, snap: MapSnapshot, query: str) -> WmsAnswer:
        """Answer one WMS request (its query string) from the map file of ``snap``."""
        refused = check_request(query, snap)
        if refused is not None:
            return refused
        if not self.available():
            return service_exception("NoApplicableCode", "the WMS engine (MapServer's mapserv) "
                                     "is not installed on this server", status=503)
        if not self._slots.acquire(timeout=self.timeout):
            return service_exception("NoApplicableCode", "the WMS is busy; try again", 503)
        try:
            proc = subprocess.run(
                [self.binary], env=self._environment(snap, clean_query(query)),
                capture_output=True, timeout=self.timeout, check=False, stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            return service_exception(
                "NoApplicableCode", f"the map was not rendered within {self.timeout:g} s; "
                "request a smaller area or size", status=503)
        except OSError as exc:
            LOGGER.error("mapserv could not run: %s", exc)
            return service_exception("NoApplicableCode", "the WMS engine could not run", 503)
        finally:
            self._slots.release()
        return self._answer(proc)

    def _environment(self, snap: MapSnapshot, query: str) -> dict[str, str]:
        # a clean environment: MapServer uses the system's PROJ and GDAL data, not the
        # venv's wheels' copies that the server process may point to
        return {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "REQUEST_METHOD": "GET",
            "QUERY_STRING": query,
            "MS_MAPFILE": str(snap.mapfile),
            "MAPSERVER_CONFIG_FILE": str(snap.config),
            "GDAL_CACHEMAX": "64",
            "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
        }

    def _answer(self, proc: subprocess.CompletedProcess[bytes]) -> WmsAnswer:
        headers, body = parse_cgi(proc.stdout)
        if proc.stderr:
            LOGGER.debug("mapserv: %s", proc.stderr.decode("utf-8", "replace")[:2000])
        ctype = headers.get("content-type", "")
        if (proc.returncode != 0 and not body) or not ctype:
            LOGGER.error("mapserv failed (exit %s): %s", proc.returncode,
                         proc.stderr.decode("utf-8", "replace")[:500])
            return service_exception("NoApplicableCode", "the map could not be rendered", 503)
        if ctype.startswith("text/html") and b"MapServer Message" in body:
            message = body.split(b"<BODY BGCOLOR=\"#FFFFFF\">")[-1].split(b"</BODY>")[0]
            text = message.decode("utf-8", "replace").strip()
            LOGGER.error("mapserv error: %s", text)
            return service_exception("NoApplicableCode", text or "the map could not be "
                                     "rendered", status=503)
        status = 200
        code = exception_code(body) if "xml" in ctype else None
        if code is not None:
            for old, new in CODE_FIXES:
                body = body.replace(old, new)
            fault = code not in CLIENT_CODES and any(m in body for m in SERVER_FAULTS)
            status = 503 if fault else 400
            if fault:
                LOGGER.error("mapserv: %s", body.decode("utf-8", "replace")[:500])
        if headers.get("status", "")[:3].isdigit():
            status = max(status, int(headers["status"][:3]))
            status = 503 if status >= 500 else status
        return WmsAnswer(status, ctype, body)
