"""Cadastral data: ALKIS NAS deliveries into the layers ``flurstuecke`` and ``gebaeude``."""

from __future__ import annotations

from pipelines.cadastral.reader import convert, read

__all__ = ["convert", "read"]
