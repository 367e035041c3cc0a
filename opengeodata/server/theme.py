"""pygeoapi's HTML pages in the catalogue's look: our template overrides and static folder.

pygeoapi looks up a template in ``server.templates.path`` first and falls back to its own; the
overrides (``templates/pygeoapi/``) replace the ones that load JS/CSS from CDNs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pygeoapi import l10n

SERVER_DIR = Path(__file__).resolve().parent
PYGEOAPI_TEMPLATES = SERVER_DIR / "templates" / "pygeoapi"
STATIC = SERVER_DIR / "static"


def pygeoapi_templates() -> dict[str, str]:
    """The ``server.templates`` entry of the generated pygeoapi configuration."""
    return {"path": str(PYGEOAPI_TEMPLATES), "static": str(STATIC)}


def apply_theme(config: dict[str, Any]) -> None:
    """Point pygeoapi at our templates and static folder (in place).

    pygeoapi 0.24 renders the TileMatrixSets pages with the whole configuration as template
    settings (``render_j2_template(api.tpl_config, api.tpl_config, ...)``), so it looks for the
    template folder in a top-level ``path`` key too; without it those pages would use pygeoapi's
    templates with CDN links.
    """
    templates = pygeoapi_templates()
    config["server"]["templates"] = templates
    config["path"] = templates["path"]


def forget_translated_config() -> None:
    """Drop pygeoapi's process-wide cache of the translated configuration.

    pygeoapi 0.24 caches the configuration it hands to its HTML templates per locale only
    (``l10n._cfg_cache``), so after a publish (a new snapshot, a new configuration) its pages
    would still see the old collections (a new collection's page: 500). Called before each
    request; the cache is only used to render HTML, where a fresh copy costs little.
    """
    l10n._cfg_cache.clear()
