"""Safe XML for NAS: refuse any DTD (billion laughs, XXE) before parsing, parse without one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from pipelines.xmlsafe import root_tag


def check_prolog(path: Path) -> str:
    """Refuse a file with a DTD anywhere in its prolog; return the root element's local name."""
    return root_tag(path)


def safe_iterparse(path: Path, tags: list[str]) -> Iterator[tuple[str, Any]]:
    """lxml iterparse with every network, DTD and entity feature off (``end`` events)."""
    check_prolog(path)
    return etree.iterparse(
        str(path), events=("end",), tag=tags, resolve_entities=False, no_network=True,
        load_dtd=False, dtd_validation=False, huge_tree=False, remove_comments=True,
        remove_pis=True,
    )
