"""Safe XML for NAS: refuse DTDs with entities (billion laughs, XXE) before parsing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from opengeodata.errors import DataValidationError

#: Bytes of the file head searched for the prolog (XML declaration, comments, DOCTYPE).
HEAD_BYTES = 1 << 20

_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_PI = re.compile(rb"<\?.*?\?>", re.DOTALL)
_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace").encode("utf-8")
    return head


def check_prolog(path: Path) -> str:
    """Refuse a DOCTYPE with entity declarations or an external DTD; return the root's name."""
    head = _head(path)
    prolog = _PI.sub(b"", _COMMENT.sub(b"", head))
    doctype_at = prolog.find(b"<!DOCTYPE")
    root = _ROOT.search(prolog)
    if doctype_at >= 0 and (root is None or doctype_at < root.start()):
        doctype = prolog[doctype_at:]
        if b"<!ENTITY" in doctype or re.match(rb"<!DOCTYPE\s+[\w:.\-]+\s+(SYSTEM|PUBLIC)",
                                                doctype):
            raise DataValidationError(
                f"{path.name}: refused: the file declares a DTD with entities or an external DTD "
                "(<!DOCTYPE ... <!ENTITY / SYSTEM>); NAS files have none, and entity expansion "
                "could exhaust memory (billion laughs) or read other files (XXE)"
            )
        # the root element follows the DOCTYPE (and its internal subset, if any)
        end = prolog.find(b">", doctype_at)
        root = _ROOT.search(prolog, end + 1) if end >= 0 else None
    if root is None:
        raise DataValidationError(f"{path.name}: not an XML file (no root element found)")
    return root.group(2).decode("ascii", errors="replace")


def safe_iterparse(path: Path, tags: list[str]) -> Iterator[tuple[str, Any]]:
    """lxml iterparse with every network, DTD and entity feature off (``end`` events)."""
    check_prolog(path)
    return etree.iterparse(
        str(path), events=("end",), tag=tags, resolve_entities=False, no_network=True,
        load_dtd=False, dtd_validation=False, huge_tree=False, remove_comments=True,
        remove_pis=True,
    )
