"""QA: the data team's command line gives clear messages and non-zero exit codes, no tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from opengeodata.cli import main
from opengeodata.settings import Settings

COMMANDS = [[], ["datasets"], ["refresh"], ["serve"], ["schema"], ["dataset"], ["dataset", "new"],
            ["versions"], ["rollback"], ["convert"], ["convert", "nas"]]


def run(settings: Settings, *args: str, **env: str) -> Result:
    environ = {"OPENGEODATA_DATA_DIR": str(settings.data_dir),
               "OPENGEODATA_DATASETS_DIR": str(settings.datasets_dir),
               "OPENGEODATA_CONFIG_DIR": str(settings.config_dir), **env}
    return CliRunner().invoke(main, list(args), env=environ, prog_name="opengeodata")


def failed(result: Result, *words: str) -> str:
    """Assert a clean failure (exit 1, 'error:', no traceback) mentioning ``words``."""
    text = result.output
    assert result.exit_code == 1, text
    assert "Traceback" not in text and result.exc_info is not None
    assert result.exc_info[0] is SystemExit, result.exc_info
    assert "error:" in text
    for word in words:
        assert word in text, (word, text)
    return text


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "main")
def test_every_help(settings: Settings, command: list[str]) -> None:
    result = run(settings, *command, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage: opengeodata" in result.output


def test_short_help_is_a_whole_sentence(settings: Settings) -> None:
    line = next(s for s in run(settings, "--help").output.splitlines()
                if s.strip().startswith("convert"))
    assert "(e.g." not in line and line.rstrip().endswith("GeoPackages.")


@pytest.mark.parametrize(("name", "value"), [("WORKERS", "abc"), ("SOURCE_MODE", "cloud"),
                                             ("CACHE_MAX_AGE", "-5")])
def test_bad_environment_setting(settings: Settings, name: str, value: str) -> None:
    failed(run(settings, "datasets", **{f"OPENGEODATA_{name}": value}),
           f"OPENGEODATA_{name}", repr(value))


def test_refresh_unknown_dataset(settings: Settings) -> None:
    failed(run(settings, "refresh", "nope"), "unknown dataset(s): nope", "stadtbezirke")


def test_rollback_and_versions_unknown(settings: Settings) -> None:
    failed(run(settings, "rollback", "nope"), "nope")
    failed(run(settings, "versions", "nope"), "nope")
    failed(run(settings, "rollback", "stadtbezirke", "no-such-version"), "stadtbezirke")


def test_dataset_new_on_bad_files(settings: Settings, tmp_path: Path) -> None:
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    garbage = tmp_path / "garbage.shp"
    garbage.write_text("not a shapefile", encoding="utf-8")
    failed(run(settings, "dataset", "new", "leer", "--source", str(empty)),
           "empty.geojson", "no features")
    failed(run(settings, "dataset", "new", "kaputt", "--source", str(garbage)),
           "garbage.shp", "not a readable vector file")
    failed(run(settings, "dataset", "new", "ordner", "--source", str(tmp_path)), "not a file")
    failed(run(settings, "dataset", "new", "fehlt", "--source", str(tmp_path / "x.shp")),
           "no such file")
    failed(run(settings, "dataset", "new", "Bad Id", "--source", str(empty)), "dataset id")
    declared = sorted(p.name for p in settings.datasets_dir.iterdir())
    assert declared == ["stadtbezirke"]  # nothing half-written
