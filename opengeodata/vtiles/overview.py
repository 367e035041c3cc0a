"""Where the combined multi-layer archive of all vector datasets is published.

It is versioned and switched atomically like a dataset, under its own store root
``<data_dir>/overview/`` (so it never appears among the published datasets)::

    overview/published/tiles/versions/<version>/{manifest.json, overview.pmtiles}
    overview/published/tiles/live -> versions/<version>
"""

from __future__ import annotations

from pathlib import Path

from opengeodata.store import Store

OVERVIEW_ID = "tiles"
OVERVIEW_FILE = "overview.pmtiles"


def overview_store(base: Store | Path) -> Store:
    """The store holding the overview archive's versions (beside ``base``'s datasets)."""
    return base.child("overview") if isinstance(base, Store) else Store(base / "overview")


def live_overview(data_dir: Path) -> Path | None:
    """The live overview archive, or None if none was built yet."""
    folder = overview_store(data_dir).live_dir(OVERVIEW_ID)
    if folder is None or not (folder / OVERVIEW_FILE).is_file():
        return None
    return folder / OVERVIEW_FILE
