"""The compiled half of the raw CityGML reader (``_rawc.c``), or None where setup.py could not
build it (no C compiler): the readers then do everything in Python, with the same output."""

from __future__ import annotations

from types import ModuleType

rawc: ModuleType | None
try:
    from pipelines.citymodel import _rawc as rawc
except ImportError:  # pragma: no cover - a machine without a C compiler
    rawc = None
