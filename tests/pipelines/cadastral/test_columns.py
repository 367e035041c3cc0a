"""The compact record store keeps every value through packing."""

from __future__ import annotations

import pytest

from pipelines.cadastral import columns as columns_module
from pipelines.cadastral.columns import Columns


def test_values_survive_packing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(columns_module, "CHUNK", 3)
    store = Columns({"s": "str", "i": "int", "f": "float", "b": "bytes", "l": "links"})
    rows = [
        {"s": "Straße", "i": 7, "f": 1.5, "b": b"\x01\x02", "l": ["A", "B"]},
        {"s": None, "i": None, "f": None, "b": None, "l": []},
        {"s": "x" * 40, "i": -3, "f": 0.0, "b": b"", "l": ["C"]},
        {"s": "ä", "i": 2**40, "f": -2.25, "b": b"\x00" * 5, "l": ["D"]},
        {"i": 1},
    ]
    for row in rows:
        store.append(row)
    assert len(store) == 5
    assert store.column("s") == ["Straße", None, "x" * 40, "ä", None]
    assert store.column("i") == [7, None, -3, 2**40, 1]
    assert list(store.int_column("i").fillna(-1)) == [7, -1, -3, 2**40, 1]
    assert store.column("f") == [1.5, None, 0.0, -2.25, None]
    assert store.column("b") == [b"\x01\x02", None, None, b"\x00" * 5, None]
    assert store.column("l") == [["A", "B"], [], ["C"], ["D"], []]
    store.clear()
    assert len(store) == 0 and store.column("s") == []
