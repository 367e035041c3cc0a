"""The CSW 2.0.2 discovery service: pycsw over one snapshot's repository.

:class:`CswService` holds the pycsw configuration (service metadata from the catalogue's
metadata block, INSPIRE extended capabilities, the read-only
:class:`~opengeodata.catalogue.csw.SnapshotRepository`) and answers one WSGI request with
``pycsw.server.Csw`` (GET key-value pairs or POST XML). ``ows:ExceptionReport`` answers get a
4xx status (pycsw sends 200); nothing raises.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opengeodata.catalogue.csw import DATABASE_ATTR, quiet_import_pycsw

LOGGER = logging.getLogger(__name__)
REPOSITORY_CLASS = "opengeodata.catalogue.csw.SnapshotRepository"
#: exception codes that are the server's fault
SERVER_CODES = ("NoApplicableCode",)
MAX_RECORDS = 100


def _text(value: Any, default: str = "") -> str:
    if isinstance(value, dict):
        return str(value.get("de") or next(iter(value.values()), default))
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value) if value else default


def pycsw_config(url: str, metadata: Mapping[str, Any] | None = None,
                 updated: str = "", themes: tuple[str, ...] = ()) -> dict[str, dict[str, str]]:
    """pycsw's configuration for the service at ``url`` (``metadata``: the catalogue's
    metadata block with ``identification``, ``provider``, ``contact``; ``themes``: the
    INSPIRE theme labels of the records, for the INSPIRE extended capabilities)."""
    meta = dict(metadata or {})
    ident = dict(meta.get("identification") or {})
    provider = dict(meta.get("provider") or {})
    contact = dict(meta.get("contact") or {})
    title = _text(ident.get("title"), "Open GeoData")
    return {
        "server": {
            "home": ".", "url": url, "mimetype": "application/xml; charset=UTF-8",
            "encoding": "UTF-8", "language": "en-US", "maxrecords": str(MAX_RECORDS),
            "pretty_print": "true", "domainquerytype": "list", "domaincounts": "false",
            "profiles": "apiso",
        },
        "manager": {"transactions": "false", "allowed_ips": "127.0.0.1"},
        "metadata:main": {
            "identification_title": f"{title} – Katalogdienst (CSW)",
            "identification_abstract": _text(ident.get("description")) + " – Metadaten "
            "(ISO 19139, GDI-DE/INSPIRE) aller veröffentlichten Datensätze.",
            "identification_keywords": _text(ident.get("keywords"), "Geodaten"),
            "identification_keywords_type": "theme", "identification_fees": "keine",
            "identification_accessconstraints": "keine",
            "provider_name": _text(provider.get("name")),
            "provider_url": _text(provider.get("url")),
            "contact_name": _text(contact.get("name")),
            "contact_position": _text(contact.get("position")),
            "contact_address": _text(contact.get("address")),
            "contact_city": _text(contact.get("city")),
            "contact_stateorprovince": _text(contact.get("stateorprovince")),
            "contact_postalcode": _text(contact.get("postalcode")),
            "contact_country": _text(contact.get("country")),
            "contact_phone": _text(contact.get("phone")), "contact_fax": "",
            "contact_email": _text(contact.get("email")),
            "contact_url": _text(contact.get("url")), "contact_hours": "",
            "contact_instructions": "", "contact_role": "pointOfContact",
        },
        "repository": {"database": "sqlite:///unused", "table": "records",
                       "source": REPOSITORY_CLASS},
        "metadata:inspire": {
            "enabled": "true", "languages_supported": "ger", "default_language": "ger",
            "date": updated[:10] or "2026-01-01",
            "gemet_keywords": ",".join(themes) or "Bodennutzung",
            "conformity_service": "notEvaluated",
            "contact_name": _text(contact.get("name")),
            "contact_email": _text(contact.get("email")),
            "temp_extent": "2000-01-01/now",
        },
    }


@dataclass(frozen=True)
class CswAnswer:
    """What the view sends back."""

    status: int
    content_type: str
    body: bytes


def exception_report(code: str, message: str, locator: str = "request",
                     status: int = 400) -> CswAnswer:
    """An OWS 1.0 ``ExceptionReport`` (as CSW 2.0.2 uses)."""
    from xml.sax.saxutils import escape, quoteattr

    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows" version="1.2.0" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation='
        '"http://www.opengis.net/ows http://schemas.opengis.net/ows/1.0.0/owsExceptionReport.xsd">'
        f'\n  <ows:Exception exceptionCode={quoteattr(code)} locator={quoteattr(locator)}>'
        f"\n    <ows:ExceptionText>{escape(message)}</ows:ExceptionText>\n  </ows:Exception>"
        "\n</ows:ExceptionReport>\n"
    )
    return CswAnswer(status, "application/xml; charset=UTF-8", body.encode())


def _exception_code(body: bytes) -> str | None:
    head = body[:3000]
    if b"ExceptionReport" not in head:
        return None
    start = head.find(b'exceptionCode="')
    if start < 0:
        return "NoApplicableCode"
    end = head.find(b'"', start + 15)
    return head[start + 15:end].decode("ascii", "replace")


class CswService:
    """pycsw over one repository file."""

    def __init__(self, database: Path, config: dict[str, dict[str, str]]) -> None:
        self.database = database
        self.config = config

    def answer(self, environ: dict[str, Any]) -> CswAnswer:
        """Answer one WSGI request (GET KVP or POST XML) for the CSW 2.0.2."""
        quiet_import_pycsw()
        from pycsw.server import Csw

        env = dict(environ)
        env.setdefault("QUERY_STRING", "")
        if not env["QUERY_STRING"] and env.get("REQUEST_METHOD", "GET") != "POST":
            return exception_report("MissingParameterValue", "parameters SERVICE=CSW, "
                                    "VERSION=2.0.2 and REQUEST are missing "
                                    "(try REQUEST=GetCapabilities)", "request")
        try:
            csw = Csw(self.config, env, version="2.0.2")
            csw.context.__dict__[DATABASE_ATTR] = str(self.database)
            csw.orm = "sqlalchemy"  # named :pvalueN parameters in generated SQL
            status_line, body = csw.dispatch_wsgi()
        except Exception:  # pycsw is a third-party engine: never a traceback to the client
            LOGGER.exception("pycsw failed")
            return exception_report("NoApplicableCode", "the catalogue service failed",
                                    status=503)
        if isinstance(body, str):
            body = body.encode("utf-8")
        status = int(str(status_line).split()[0]) if str(status_line)[:3].isdigit() else 200
        code = _exception_code(body)
        if code is not None and status < 400:
            status = 503 if code in SERVER_CODES and b"repository" in body.lower() else 400
        content_type = str(getattr(csw, "contenttype", "application/xml"))
        if "charset" not in content_type and content_type.endswith("xml"):
            content_type += "; charset=UTF-8"
        return CswAnswer(status, content_type, body)
