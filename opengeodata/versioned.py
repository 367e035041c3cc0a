"""Data-versioned URLs: ``?v=<version>`` on tile and coverage URLs, so caches keep them forever.

Every link the server writes to a vector tile, map tile, terrain tile, coverage or 3D Tiles
content names the live data version (``?v=20261201T...``). What a request answers:

- ``v`` is the live version: the bytes of that version, ``Cache-Control: public,
  max-age=31536000, immutable`` (nginx and CDNs keep them; they can never change).
- no ``v``: the live data with the short default lifetime and its ETag (revalidated with
  ``If-None-Match``; a publish changes the ETag).
- ``v`` names another version (a client holding an older TileJSON, or a replica that has not
  switched yet): ``302 Found`` to the same URL with the live ``v``, ``Cache-Control:
  no-store``. A stale URL thus never gets current bytes stored under it as immutable, and the
  redirect itself is never cached (RFC 9111: 302 is not cacheable without explicit freshness;
  ``no-store`` forbids it outright, which nginx's proxy_cache, Varnish and CDNs honour), so
  after the next publish the same stale URL is sent to the then live version. A short-cached
  200 of the current data was the alternative; it would put other bytes than the URL names
  into every cache for that time, so the redirect it is.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import parse_qsl, quote, urlencode

#: the query parameter naming the data version
PARAM = "v"
IMMUTABLE = "public, max-age=31536000, immutable"
REDIRECT_CACHE_CONTROL = "no-store"

Verdict = Literal["live", "unversioned", "other"]


def with_version(url: str, version: str) -> str:
    """``url`` with ``v=<version>`` appended (``?`` or ``&``); templates' braces are kept.
    Without a version (nothing published) the URL stays unversioned."""
    if not version:
        return url
    return f"{url}{'&' if '?' in url else '?'}{PARAM}={quote(version, safe='')}"


def verdict(requested: str | None, live: str) -> Verdict:
    """How a request's ``v`` relates to the live version."""
    if requested is None:
        return "unversioned"
    return "live" if requested == live else "other"


def redirect_location(path: str, query: str, live: str) -> str:
    """The same path and query with ``v`` set to ``live`` (parameter order kept)."""
    pairs = [(k, live if k == PARAM else v) for k, v in parse_qsl(query, keep_blank_values=True)]
    if not any(k == PARAM for k, _ in pairs):
        pairs.append((PARAM, live))
    return f"{path}?{urlencode(pairs, quote_via=quote, safe='(),:')}"
