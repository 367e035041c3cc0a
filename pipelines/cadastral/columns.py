"""Compact column store for parsed records: lists while a chunk fills, numpy arrays after.

Python strings and bytes cost 50-70 bytes of overhead each; a chunk of 16,384 records is packed
into fixed-width byte strings, int64/float64 arrays and one buffer of WKB with offsets, which
roughly halves the memory a big delivery needs before the layer is built.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

Kind = Literal["str", "int", "float", "bytes", "links"]
CHUNK = 16_384
INT_NA = np.iinfo(np.int64).min
LINK_SEP = "\x1f"


def _pack(kind: Kind, values: list[Any]) -> Any:
    if kind == "str":
        return np.array([v.encode() if v else b"" for v in values], dtype=np.bytes_)
    if kind == "links":
        return np.array([LINK_SEP.join(v).encode() if v else b"" for v in values],
                        dtype=np.bytes_)
    if kind == "int":
        return np.array([INT_NA if v is None else v for v in values], dtype=np.int64)
    if kind == "float":
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    lengths = np.fromiter((len(v) if v else 0 for v in values), dtype=np.int64,
                          count=len(values))
    return b"".join(v for v in values if v), np.concatenate([[0], np.cumsum(lengths)])


def _unpack(kind: Kind, packed: Any) -> list[Any]:
    if kind == "str":
        return [v.decode() if v else None for v in packed.tolist()]
    if kind == "links":
        return [v.decode().split(LINK_SEP) if v else [] for v in packed.tolist()]
    if kind == "int":
        return [None if v == INT_NA else v for v in packed.tolist()]
    if kind == "float":
        return [None if np.isnan(v) else v for v in packed.tolist()]
    buffer, offsets = packed
    return [buffer[a:b] if b > a else None
            for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)]


@dataclass
class Columns:
    """Column-wise records of one layer: cheap to append, compact to keep."""

    kinds: dict[str, Kind]
    _rows: dict[str, list[Any]] = field(init=False)
    _chunks: list[tuple[int, dict[str, Any]]] = field(init=False, default_factory=list)
    _packed_rows: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self._rows = {n: [] for n in self.kinds}

    def append(self, row: dict[str, Any]) -> None:
        """Add one record (missing keys are None)."""
        for name, values in self._rows.items():
            values.append(row.get(name))
        if len(next(iter(self._rows.values()))) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        count = len(next(iter(self._rows.values())))
        if count:
            self._chunks.append(
                (count, {n: _pack(self.kinds[n], v) for n, v in self._rows.items()}))
            self._packed_rows += count
            self._rows = {n: [] for n in self.kinds}

    def __len__(self) -> int:
        return self._packed_rows + len(next(iter(self._rows.values())))

    def column(self, name: str) -> list[Any]:
        """Every value of one column, in order (None for missing)."""
        kind = self.kinds[name]
        out: list[Any] = []
        for _count, chunk in self._chunks:
            out.extend(_unpack(kind, chunk[name]))
        tail = self._rows[name]
        if kind == "links":
            out.extend(v or [] for v in tail)
        elif kind in ("str", "bytes"):
            out.extend(v or None for v in tail)
        else:
            out.extend(tail)
        return out

    def chunks(self, name: str) -> list[list[Any]]:
        """The values of one column chunk by chunk (to build big columns step by step)."""
        kind = self.kinds[name]
        out = [_unpack(kind, chunk[name]) for _count, chunk in self._chunks]
        if self._rows[name]:
            out.append(list(self._rows[name]))
        return out

    def drain(self) -> Iterator[dict[str, list[Any]]]:
        """Every record chunk by chunk as column lists, freeing each chunk as it goes."""
        self._flush()
        while self._chunks:
            count, chunk = self._chunks.pop(0)
            self._packed_rows -= count
            yield {n: _unpack(self.kinds[n], chunk[n]) for n in self.kinds}

    def int_column(self, name: str) -> pd.arrays.IntegerArray:
        """An integer column as a nullable pandas array."""
        return pd.array(self.column(name), dtype="Int64")

    def clear(self) -> None:
        """Drop every record (frees the memory once the layer is built)."""
        self._chunks = []
        self._packed_rows = 0
        self._rows = {n: [] for n in self.kinds}
