"""Copy the web assets installed by npm into the package's static folder.

``make install`` runs ``npm install`` and then ``python -m opengeodata.server.assets``: the
pages load MapLibre GL JS, the PMTiles protocol, Swagger UI and CesiumJS from
``/static/vendor/`` (never from a CDN). Of CesiumJS only the built library is copied
(``Build/Cesium``: ``Cesium.js`` and the folders it loads at run time: ``Workers``,
``ThirdParty`` (WebAssembly decoders), ``Assets`` and ``Widgets``), into ``vendor/cesium/``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from opengeodata.errors import PipelineError

PACKAGE_DIR = Path(__file__).resolve().parent
VENDOR_DIR = PACKAGE_DIR / "static" / "vendor"

#: file in node_modules -> name under static/vendor/
ASSETS: dict[str, str] = {
    "maplibre-gl/dist/maplibre-gl.js": "maplibre-gl.js",
    "maplibre-gl/dist/maplibre-gl.js.map": "maplibre-gl.js.map",
    "maplibre-gl/dist/maplibre-gl.css": "maplibre-gl.css",
    "maplibre-gl/LICENSE.txt": "maplibre-gl.LICENSE.txt",
    "pmtiles/dist/pmtiles.js": "pmtiles.js",
    "pmtiles/dist/pmtiles.js.map": "pmtiles.js.map",
    "swagger-ui-dist/swagger-ui-bundle.js": "swagger-ui-bundle.js",
    "swagger-ui-dist/swagger-ui-standalone-preset.js": "swagger-ui-standalone-preset.js",
    "swagger-ui-dist/swagger-ui.css": "swagger-ui.css",
    "swagger-ui-dist/LICENSE": "swagger-ui.LICENSE.txt",
    "cesium/Build/Cesium/Cesium.js": "cesium/Cesium.js",
    "cesium/Build/Cesium/Widgets/widgets.css": "cesium/Widgets/widgets.css",
    "cesium/LICENSE.md": "cesium/LICENSE.md",
}
#: folder in node_modules -> folder under static/vendor/ (copied whole)
ASSET_DIRS: dict[str, str] = {
    "cesium/Build/Cesium/Workers": "cesium/Workers",
    "cesium/Build/Cesium/ThirdParty": "cesium/ThirdParty",
    "cesium/Build/Cesium/Assets": "cesium/Assets",
    "cesium/Build/Cesium/Widgets": "cesium/Widgets",
}


def missing_assets(vendor_dir: Path = VENDOR_DIR) -> list[str]:
    """Vendor files the pages need that are not installed (empty when all are there)."""
    return ([name for name in ASSETS.values() if not (vendor_dir / name).is_file()]
            + [name for name in ASSET_DIRS.values() if not (vendor_dir / name).is_dir()])


def copy_assets(node_modules: Path, vendor_dir: Path = VENDOR_DIR) -> list[Path]:
    """Copy the assets from ``node_modules`` to ``vendor_dir``; PipelineError if one is missing."""
    missing = ([src for src in ASSETS if not (node_modules / src).is_file()]
               + [src for src in ASSET_DIRS if not (node_modules / src).is_dir()])
    if missing:
        raise PipelineError(
            f"{node_modules}: missing {', '.join(missing)}; run 'npm install' in the repository"
        )
    vendor_dir.mkdir(parents=True, exist_ok=True)
    copied = []
    for src, name in ASSET_DIRS.items():
        target = vendor_dir / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(node_modules / src, target)
        copied.append(target)
    for src, name in ASSETS.items():
        target = vendor_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(node_modules / src, target)
        copied.append(target)
    return copied


def main(argv: list[str] | None = None) -> int:
    """CLI: ``python -m opengeodata.server.assets [NODE_MODULES]``."""
    args = sys.argv[1:] if argv is None else argv
    node_modules = Path(args[0]) if args else PACKAGE_DIR.parent.parent / "node_modules"
    try:
        copied = copy_assets(node_modules)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"copied {len(copied)} web assets into {VENDOR_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
