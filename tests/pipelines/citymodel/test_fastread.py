"""The batch reader (XSLT tokens) gives what the element reader gives, and names bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from opengeodata.errors import DataValidationError
from pipelines.citymodel import fastread
from pipelines.citymodel.convert import convert
from pipelines.citymodel.sample import generate


def _outputs(source: Path, out: Path) -> tuple[bytes, bytes]:
    out.mkdir()
    convert([source], cityjson=out / "a.city.json", cityjsonseq=out / "a.city.jsonl",
            title="t", footprints=False)
    return (out / "a.city.json").read_bytes(), (out / "a.city.jsonl").read_bytes()


def _irregular_sample(tmp: Path) -> Path:
    """A generated tile with buildings the XSLT does not take, between regular ones."""
    source = generate(tmp / "gml", buildings=30, per_tile=30)[0]
    text = source.read_text(encoding="utf-8")
    lists = list(re.finditer(r"<gml:posList>([^<]*)</gml:posList>", text))
    # a hole (interior ring), a 2D-declared ring, a "|" in an attribute, srsDimension="3"
    hole = lists[3]
    ring = hole.group(1)
    closing = "</gml:LinearRing></gml:exterior>"
    text = (text[:hole.end()] + closing + "<gml:interior><gml:LinearRing>"
            f"<gml:posList>{ring}</gml:posList></gml:LinearRing></gml:interior>"
            + text[hole.end() + len(closing):])
    text = text.replace("<gml:posList>", '<gml:posList srsDimension="3">', 40)
    text = text.replace("Lister Meile", "Lister|Meile", 1)
    source.write_text(text, encoding="utf-8")
    return source


@pytest.mark.parametrize("irregular", [False, True])
def test_batch_reader_matches_element_reader(tmp_path: Path, irregular: bool,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    source = (_irregular_sample(tmp_path) if irregular
              else generate(tmp_path / "gml", buildings=30, per_tile=30)[0])
    fast = _outputs(source, tmp_path / "fast")
    monkeypatch.setattr(fastread._Batcher, "_fast", lambda *_args: -1)
    slow = _outputs(source, tmp_path / "slow")
    assert fast == slow
    assert fast[0].count(b'"type":"Building"') == 30


@pytest.mark.parametrize(("bad", "problem"), [
    ("1 2 3 4", "4 coordinate values do not form 3D points"),
    ("1 2 x", "could not convert string to float: 'x'"),
])
def test_bad_coordinates_name_file_line_and_building(tmp_path: Path, bad: str,
                                                     problem: str) -> None:
    source = generate(tmp_path / "gml", buildings=5, per_tile=5)[0]
    text = source.read_text(encoding="utf-8")
    start = text.index('<bldg:Building gml:id="DENI00000000003"')
    pos = text.index("<gml:posList>", start) + len("<gml:posList>")
    text = text[:pos] + bad + text[text.index("</gml:posList>", pos):]
    source.write_text(text, encoding="utf-8")
    line = text[:start].count("\n") + 1
    with pytest.raises(DataValidationError,
                       match=rf"{source.name}: line {line}: building DENI00000000003: "
                             + re.escape(problem)):
        convert([source], cityjson=tmp_path / "out.city.json")
