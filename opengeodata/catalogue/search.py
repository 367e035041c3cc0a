"""Catalogue search: full text with umlaut folding, facets, bbox, datetime, sorting."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from opengeodata.catalogue.record import SORT_KEYS, Record
from opengeodata.catalogue.text import fold, parse_query
from opengeodata.errors import InvalidRequestError


def _values(value: str | Iterable[str] | None) -> set[str] | None:
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else list(value)
    cleaned = {fold(v.strip()) for v in items if v and v.strip()}
    return cleaned or None


def score(record: Record, groups: list[list[str]]) -> int:
    """Relevance of ``record`` for the parsed query (0: no match)."""
    best = 0
    for words in groups:
        if all(w in record.search_text for w in words):
            s = 1 + sum(3 for w in words if w in record.title_text)
            s += sum(2 for w in words for k in record.keywords if w in fold(k))
            best = max(best, s)
    return best


def parse_bbox(bbox: Sequence[float] | str) -> tuple[float, float, float, float]:
    """A CRS84 bbox from 4 numbers (or 6, heights ignored); InvalidRequestError otherwise."""
    try:
        values = [float(v) for v in (bbox.split(",") if isinstance(bbox, str) else bbox)]
    except ValueError:
        raise InvalidRequestError(f"bbox: not a list of numbers: {bbox!r}") from None
    if len(values) == 6:
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4:
        raise InvalidRequestError("bbox: expected 4 numbers minlon,minlat,maxlon,maxlat")
    minx, miny, maxx, maxy = values
    if miny > maxy:
        raise InvalidRequestError("bbox: minlat is greater than maxlat")
    return minx, miny, maxx, maxy


def _intersects(a: Sequence[float], b: Sequence[float]) -> bool:
    if b[0] > b[2]:  # crosses the antimeridian
        return _intersects(a, (b[0], b[1], 180.0, b[3])) or _intersects(
            a, (-180.0, b[1], b[2], b[3]))
    return not (a[2] < b[0] or a[0] > b[2] or a[3] < b[1] or a[1] > b[3])


def _instant(value: str, end: bool) -> datetime | None:
    value = value.strip()
    if value in ("", ".."):
        return None
    text = value.replace("Z", "+00:00").replace("z", "+00:00")
    try:
        if len(text) == 4 and text.isdigit():
            moment = datetime(int(text), 12 if end else 1, 31 if end else 1)
        elif len(text) == 10:
            moment = datetime.fromisoformat(text)
            if end:
                moment = moment.replace(hour=23, minute=59, second=59)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidRequestError(f"datetime: not an RFC 3339 date or time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_interval(value: str) -> tuple[datetime | None, datetime | None]:
    """``a``, ``a/b``, ``../b``, ``a/..`` -> (start, end); InvalidRequestError if malformed."""
    parts = value.split("/")
    if len(parts) == 1:
        return _instant(parts[0], False), _instant(parts[0], True)
    if len(parts) != 2:
        raise InvalidRequestError(f"datetime: expected an instant or 'start/end': {value!r}")
    start, end = _instant(parts[0], False), _instant(parts[1], True)
    if start and end and start > end:
        raise InvalidRequestError("datetime: start is after end")
    return start, end


def _record_interval(record: Record) -> tuple[datetime | None, datetime | None]:
    if record.temporal:
        return _instant(record.temporal[0] or "..", False), _instant(
            record.temporal[1] or "..", True)
    moment = _instant(record.updated, False)
    return moment, moment


def _overlaps(a: tuple[datetime | None, datetime | None],
              b: tuple[datetime | None, datetime | None]) -> bool:
    if a[0] and b[1] and a[0] > b[1]:
        return False
    return not (b[0] and a[1] and b[0] > a[1])


def run_search(
    records: Iterable[Record], *, q: str | None, theme: str | Iterable[str] | None,
    fmt: str | Iterable[str] | None, licence: str | Iterable[str] | None,
    keywords: str | Iterable[str] | None, type_: str | None,
    bbox: Sequence[float] | str | None, datetime_: str | None, sort: str | None,
) -> list[Record]:
    """See :meth:`opengeodata.catalogue.Catalogue.search`."""
    sort = sort or ("relevance" if q else "title")
    if sort not in SORT_KEYS:
        raise InvalidRequestError(f"sort: unknown key {sort!r}; use one of {', '.join(SORT_KEYS)}")
    groups = parse_query(q) if q else []
    themes, fmts, licences = _values(theme), _values(fmt), _values(licence)
    wanted_keywords = _values(keywords)
    box = parse_bbox(bbox) if bbox is not None and bbox != "" else None
    interval = parse_interval(datetime_) if datetime_ else None
    type_ = fold(type_.strip()) if type_ and type_.strip() else None

    hits: list[tuple[int, Record]] = []
    for r in records:
        s = score(r, groups) if groups else 1
        if not s:
            continue
        if themes and fold(r.theme) not in themes:
            continue
        if fmts and not fmts & {fold(f) for f in r.formats}:
            continue
        if licences and fold(r.licence.id) not in licences:
            continue
        if wanted_keywords and not wanted_keywords & {fold(k) for k in r.keywords}:
            continue
        if type_ and type_ not in (r.type, fold(r.kind)):
            continue
        if box and (r.bbox is None or not _intersects(r.bbox, box)):
            continue
        if interval and not _overlaps(_record_interval(r), interval):
            continue
        hits.append((s, r))

    key = sort.lstrip("-")
    if key == "relevance":
        hits.sort(key=lambda h: (-h[0], h[1].sort_key))
    elif key == "title":
        hits.sort(key=lambda h: h[1].sort_key, reverse=sort.startswith("-"))
    elif key == "updated":
        hits.sort(key=lambda h: h[1].updated, reverse=sort.startswith("-"))
    elif key == "size":
        hits.sort(key=lambda h: h[1].total_size, reverse=sort.startswith("-"))
    else:
        hits.sort(key=lambda h: h[1].id)
    return [r for _, r in hits]
