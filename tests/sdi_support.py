"""Fixture data for the WMS/CSW tests: districts, styled squares with hostile names, points
and the orthophoto raster, all published by the real pipeline.

``flaechen`` has red squares (declared style, opaque fill) at known EPSG:25832 positions, so a
GetMap image can be checked pixel by pixel: inside a square the pixel is red, between the
squares it is transparent.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from opengeodata.settings import Settings
from tests.conftest import make_settings
from tests.publish_util import add_dataset, feature_collection, points, publish_all

XSS = '<script>alert("x")</script> & Fläche'
#: (min x, min y) of the 100 m squares of ``flaechen``
SQUARES = [(550_000.0 + 400 * i, 5_800_000.0 + 200 * i) for i in range(4)]
SIZE = 100.0
RED = "#ff0000"
STYLE = f"""\
style:
  fill_colour: "{RED}"
  line_colour: "#000080"
  line_width: 1
  opacity: 1
"""


def squares() -> str:
    """GeoJSON of the squares; the first one carries an HTML/script payload in its name."""
    return feature_collection([
        {"type": "Feature",
         "properties": {"name": XSS if i == 0 else f"Fläche {i}", "nummer": i},
         "geometry": {"type": "Polygon", "coordinates": [[
             [x, y], [x + SIZE, y], [x + SIZE, y + SIZE], [x, y + SIZE], [x, y]]]}}
        for i, (x, y) in enumerate(SQUARES)
    ])


def build_sdi_site(tmp: Path, raster: bool = True) -> Settings:
    """Publish stadtbezirke, flaechen (styled), punkte and (``raster``) dop20."""
    settings = make_settings(tmp, ["stadtbezirke", "dop20"] if raster else ["stadtbezirke"])
    add_dataset(settings, "flaechen", squares(), extra=STYLE + "theme: cadastre\n")
    add_dataset(settings, "punkte", points(6), extra="theme: environment\n")
    publish_all(settings)
    return settings


def copy_site(settings: Settings, tmp: Path) -> Settings:
    """A private copy of a published site (for tests that publish more)."""
    shutil.copytree(settings.data_dir, tmp / "data", symlinks=True)
    shutil.copytree(settings.datasets_dir, tmp / "datasets")
    return settings.model_copy(update={"data_dir": tmp / "data",
                                       "datasets_dir": tmp / "datasets"})
