"""Byte-level passes of the raw CityGML reader (:mod:`.rawread`): members cut at byte offsets,
the layout check of pass 1, and libxml2's well-formedness check of the whole text in pass 2."""

from __future__ import annotations

import re
from collections.abc import Callable, Generator
from pathlib import Path

from lxml import etree

from opengeodata.errors import DataValidationError
from pipelines.citymodel.citygml import _parser_args

CHUNK = 1 << 22


class _Scanner:
    """Cuts a file into cityObjectMember texts at byte offsets."""

    def __init__(self, path: Path, member: bytes) -> None:
        self.path = path
        self.open = b"<" + member
        self.close = b"</" + member
        self.first_gap: tuple[bytes, int] | None = None

    def members(self, check: _WellFormed | None = None
                ) -> Generator[tuple[bytes, int], None, None]:
        """(member text, line of its first byte). ``check`` gets every byte of the file in
        order, chunk by chunk; a member the caller marks ``check.verified`` (well-formed by
        construction) as blanks that keep lines and columns."""
        buf = b""
        line = 1  # line of buf[0]
        first = True
        out: list[bytes] = []  # what check gets at the end of the chunk
        with self.path.open("rb") as f:
            while chunk := f.read(CHUNK):
                buf = buf + chunk if buf else chunk
                pos = 0
                pos_line = line
                while True:
                    i = buf.find(self.open, pos)
                    j = buf.find(self.close, i + 1) if i >= 0 else -1
                    k = buf.find(b">", j) if j >= 0 else -1
                    if k < 0:
                        break
                    i_line = pos_line + buf.count(b"\n", pos, i)
                    if first:
                        self.first_gap = (buf[:i], line)
                        first = False
                    member = buf[i:k + 1]
                    yield member, i_line
                    nl = member.count(b"\n")
                    if check is not None:
                        out.append(buf[pos:i])
                        if check.verified:
                            check.verified = False
                            out.append(_blank(member, nl))
                        else:
                            out.append(member)
                    pos = k + 1
                    pos_line = i_line + nl
                if i < 0 and not first:  # no member begins: keep a tail (a long footer)
                    keep = max(pos, len(buf) - len(self.open) - 8)
                    pos_line += buf.count(b"\n", pos, keep)
                    out.append(buf[pos:keep])
                    pos = keep
                line = pos_line
                buf = buf[pos:]
                if check is not None:
                    check.feed(b"".join(out))
                out = []
        if check is not None:
            check.feed(buf)
            check.close()

    def layout(self, root_end: int) -> bool:
        """Pass 1: True when every member is ``<member>`` ... ``</member>``, not nested, no
        ``Building`` lies outside a member and no comment, CDATA section, processing
        instruction or DTD follows the root start tag (which ends at ``root_end``)."""
        open_, close = self.open, self.close
        buf = b""
        skip = root_end  # bytes of buf already checked for "<!" and "<?"
        with self.path.open("rb") as f:
            while chunk := f.read(CHUNK):
                buf = buf + chunk if buf else chunk
                if _construct(buf, skip):
                    return False
                pos = 0
                while True:
                    i = buf.find(open_, pos)
                    j = buf.find(close, i + 1) if i >= 0 else -1
                    k = buf.find(b">", j) if j >= 0 else -1
                    if k < 0:
                        break
                    if (buf[i + len(open_):i + len(open_) + 1] != b">"
                            or buf[j + len(close):k].strip()
                            or buf.find(open_, i + 1, j) >= 0
                            or buf.find(b"Building", pos, i) >= 0):
                        return False
                    pos = k + 1
                if i < 0:  # no member begins: keep a tail
                    keep = max(pos, len(buf) - len(open_) - 8)
                    if buf.find(b"Building", pos, keep + 7) >= 0:
                        return False
                    pos = keep
                buf = buf[pos:]
                skip = max(len(buf) - 1, 0)
        return buf.find(b"Building") < 0 and buf.find(open_) < 0


def _construct(buf: bytes, start: int) -> bool:
    """``<!`` or ``<?`` in ``buf[start - 1:]`` (found by the rare second byte)."""
    for mark in (b"!", b"?"):
        i = buf.find(mark, max(start, 1))
        while i >= 0:
            if buf[i - 1] == 0x3C:  # "<"
                return True
            i = buf.find(mark, i + 1)
    return False


class _Nothing:
    """A parser target without callbacks: libxml2 only checks the text."""

    def close(self) -> None:
        return None


_AT = re.compile(r",? line \d+, column \d+$")


class _WellFormed:
    """Well-formedness and namespaces of the whole file by libxml2, chunk by chunk; an error
    names file, line and column."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.parser = etree.XMLParser(target=_Nothing(), **_parser_args())
        #: set by the reader for a member the compiled recogniser took (well-formed)
        self.verified = False
        self.seen = 0  # entries of the parser's error log looked at (warnings stay there)

    def feed(self, data: bytes) -> None:
        """Check the next bytes of the file."""
        if data:
            self._call(self.parser.feed, data)

    def close(self) -> None:
        """The end of the file."""
        self._call(self.parser.close)

    def _call(self, method: Callable[..., object], *args: bytes) -> None:
        try:
            method(*args)
        except etree.XMLSyntaxError as exc:
            raise _not_well_formed(self.path, exc.position[0], exc.position[1], exc.msg) from None
        log = self.parser.feed_error_log  # namespace errors are not fatal to libxml2
        if len(log) > self.seen:
            for entry in log[self.seen:]:
                if entry.level >= etree.ErrorLevels.ERROR:
                    raise _not_well_formed(self.path, entry.line, entry.column, entry.message)
            self.seen = len(log)


def _not_well_formed(path: Path, line: int, column: int, message: str) -> DataValidationError:
    return DataValidationError(f"{path.name}: not well-formed XML: line {line}, column {column}: "
                               f"{_AT.sub('', message.strip())}")


def _blank(member: bytes, newlines: int) -> bytes:
    """Whitespace in place of a member: the same lines, and the columns after it."""
    if not newlines:
        return b" " * len(member)
    return b"\n" * newlines + b" " * (len(member) - member.rfind(b"\n") - 1)
