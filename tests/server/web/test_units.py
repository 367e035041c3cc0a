"""Small parts of the web catalogue: language choice, formatting, asset installation."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.datastructures import LanguageAccept

from opengeodata.errors import PipelineError
from opengeodata.server import assets, i18n
from opengeodata.server.web import human_size, short_date


def accept(header: str) -> LanguageAccept:
    from werkzeug.http import parse_accept_header

    return parse_accept_header(header, LanguageAccept)


@pytest.mark.parametrize(("query", "header", "expected"), [
    (None, "", "de"),
    (None, "en-US,en;q=0.9", "en"),
    (None, "fr-FR, en;q=0.4, de;q=0.6", "de"),
    (None, "fr-FR", "de"),
    ("en", "de", "en"),
    ("EN-gb", "", "en"),
    ("xx", "en", "en"),
])
def test_language_choice(query: str | None, header: str, expected: str) -> None:
    assert i18n.choose_language(query, accept(header)) == expected


def test_every_message_has_both_languages() -> None:
    for key, texts in i18n.MESSAGES.items():
        assert len(texts) == 2 and all(texts), key
    t = i18n.translator("en")
    assert t("datasets_n", n=3) == "3 datasets"
    assert i18n.translator("de")("datasets_n", n=3) == "3 Datensätze"


def test_human_size_and_dates() -> None:
    assert human_size(512, "de") == "512 B"
    assert human_size(1536, "de") == "1,5 KB" and human_size(1536, "en") == "1.5 KB"
    assert human_size(5 * 1024**3, "en") == "5.0 GB"
    assert short_date("2026-11-26T05:01:02Z", "de") == "26.11.2026, 05:01 UTC"
    assert short_date("2026-11-26T05:01:02Z", "en") == "2026-11-26 05:01 UTC"


def test_assets_are_installed_by_make_install() -> None:
    assert assets.missing_assets() == [], "run 'make install' (npm install + assets)"


def test_copy_assets_names_the_missing_file(tmp_path: Path) -> None:
    node_modules = tmp_path / "node_modules"
    for src in assets.ASSETS:
        (node_modules / src).parent.mkdir(parents=True, exist_ok=True)
        (node_modules / src).write_text(f"/* {src} */")
    for src in assets.ASSET_DIRS:
        (node_modules / src).mkdir(parents=True, exist_ok=True)
        (node_modules / src / "part.js").write_text(f"/* {src} */")
    vendor = tmp_path / "vendor"
    copied = assets.copy_assets(node_modules, vendor)
    assert sorted(str(p.relative_to(vendor)) for p in copied) == sorted(
        [*assets.ASSETS.values(), *assets.ASSET_DIRS.values()])
    assert (vendor / "pmtiles.js").read_text() == "/* pmtiles/dist/pmtiles.js */"
    assert (vendor / "cesium/Workers/part.js").read_text() == "/* cesium/Build/Cesium/Workers */"
    assert assets.missing_assets(vendor) == []
    (node_modules / "pmtiles/dist/pmtiles.js").unlink()
    with pytest.raises(PipelineError, match=r"missing pmtiles/dist/pmtiles\.js.*npm install"):
        assets.copy_assets(node_modules, tmp_path / "other")
    assert assets.main([str(tmp_path / "nowhere")]) == 1


def test_tile_endpoints_come_from_the_collection_facets() -> None:
    from opengeodata.published import Collection, CoverageFacet, VectorTilesFacet
    from opengeodata.server.web import raster_tiles

    cov = CoverageFacet(Path("dop20.tif"), "0" * 64, "EPSG:25832")
    dop20 = Collection(id="dop20", kind="raster", title="DOP", description="",
                       facets={"coverage": cov})
    baeume = Collection(id="baeume", kind="vector", title="B", description="",
                        facets={"vector_tiles": VectorTilesFacet(Path("b.pmtiles"), "1", 10, 16)})
    expected = "/collections/dop20/tiles/WebMercatorQuad/{z}/{y}/{x}?f=png"
    assert raster_tiles(dop20) == expected  # no version known: unversioned
    live = Collection(id="dop20", kind="raster", title="DOP", description="", version="v1",
                      facets={"coverage": cov})
    assert raster_tiles(live) == f"{expected}&v=v1"
    assert raster_tiles(baeume) is None and raster_tiles(None) is None
