"""The raw-bytes reader gives what the lxml reader gives, and names malformed input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from opengeodata.errors import DataValidationError
from pipelines.citymodel import rawread, rawscan
from pipelines.citymodel.convert import convert
from pipelines.citymodel.sample import generate
from tests.pipelines.citymodel.golden_cases import CASES, run_case
from tests.pipelines.citymodel.test_fastread import _irregular_sample, _outputs


def _count_paths(monkeypatch: pytest.MonkeyPatch) -> dict[bool, int]:
    """Count the members read by the expressions (True) and handed to lxml (False)."""
    counts = {True: 0, False: 0}
    original = rawread._read

    def counted(*args: object) -> bool:
        done = original(*args)  # type: ignore[arg-type]
        counts[done] += 1
        return done

    monkeypatch.setattr(rawread, "_read", counted)
    return counts


@pytest.mark.parametrize("case", CASES)
def test_raw_reader_matches_lxml_reader_on_golden_inputs(
        case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    counts = _count_paths(monkeypatch)
    raw = run_case(case, tmp_path / "raw")
    if case.startswith("generated"):
        assert counts[True] > 0 and counts[False] == 0  # the raw path did the work
    monkeypatch.setattr(rawread, "plan", lambda _path: None)
    assert run_case(case, tmp_path / "lxml") == raw


def _mixed_sample(tmp: Path) -> Path:
    """Generated buildings with irregular ones between them (per building, not per file)."""
    source = _irregular_sample(tmp)
    text = source.read_text(encoding="utf-8")
    # an attribute no reader uses: not a shape the raw readers take (srsDimension="3" is)
    text = text.replace('srsDimension="3">', 'srsDimension="3" count="5">')
    text = text.replace("Hildesheimer Straße", "Hildesheimer Stra&#223;e &amp; Co", 1)
    text = text.replace("<bldg:function>", "<bldg:function>\n  ", 3)
    text = text.replace('<bldg:Building gml:id="DENI00000000007">',
                        '<bldg:Building gml:id="DENI00000000007"><gml:name>Haus 7</gml:name>')
    text = text.replace('<bldg:Building gml:id="DENI00000000009">',
                        '<bldg:Building gml:id="DENI00000000009" xmlns:x="urn:x">')
    start = text.index('<bldg:Building gml:id="DENI00000000011"')
    pos = text.index("<gml:posList>", start)
    end = text.index("</gml:posList>", pos)
    points = text[pos + len("<gml:posList>"):end].split()
    pos_elements = "".join(f"<gml:pos>{' '.join(points[i:i + 3])}</gml:pos>"
                           for i in range(0, len(points), 3))
    text = text[:pos] + pos_elements + text[end + len("</gml:posList>"):]
    source.write_text(text, encoding="utf-8")
    return source


@pytest.mark.parametrize("streak", [rawread.STREAK, 10**9])
def test_raw_reader_matches_lxml_reader_with_irregular_buildings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streak: int) -> None:
    source = _mixed_sample(tmp_path)
    counts = _count_paths(monkeypatch)
    monkeypatch.setattr(rawread, "STREAK", streak)  # 10**9: no runs of irregular members
    raw = _outputs(source, tmp_path / "raw")
    if streak > 30:
        assert counts[True] >= 15 and counts[False] >= 5  # both paths in one file
    else:
        assert counts[False] >= rawread.STREAK  # then the rest as one lxml tree
    monkeypatch.setattr(rawread, "plan", lambda _path: None)
    assert _outputs(source, tmp_path / "lxml") == raw
    assert raw[0].count(b'"type":"Building"') == 30
    assert "Hildesheimer Straße & Co".encode() in raw[0]


def test_file_with_a_comment_is_read_by_lxml_reader(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    source = generate(tmp_path / "gml", buildings=6, per_tile=6)[0]
    plain = _outputs(source, tmp_path / "plain")
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("<core:cityObjectMember>", "<!-- x --><core:cityObjectMember>",
                                   2), encoding="utf-8")
    assert rawread.plan(source) is None
    assert _outputs(source, tmp_path / "comment") == plain


def test_malformed_file_names_file_line_and_column(tmp_path: Path) -> None:
    source = generate(tmp_path / "gml", buildings=20, per_tile=20)[0]
    text = source.read_text(encoding="utf-8")
    start = text.index('<bldg:Building gml:id="DENI00000000012"')
    cut = text.index("</bldg:function>", start)
    text = text[:cut] + text[cut + len("</bldg:function>"):]  # an unclosed tag mid-file
    source.write_text(text, encoding="utf-8")
    line = text[:text.index("</bldg:Building>", cut)].count("\n") + 1
    with pytest.raises(DataValidationError,
                       match=rf"{re.escape(source.name)}: not well-formed XML: line {line}, "
                             r"column \d+: Opening and ending tag mismatch"):
        convert([source], cityjson=tmp_path / "out.city.json")
    assert not (tmp_path / "out.city.json").exists()


@pytest.mark.parametrize("irregular", [False, True])
def test_lines_beyond_65535(tmp_path: Path, irregular: bool,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The expressions give the file's line; a member read by lxml the line lxml gives when
    it reads the whole file (above 65535 libxml2 takes it from the next text node)."""
    source = generate(tmp_path / "gml", buildings=5, per_tile=5)[0]
    text = source.read_text(encoding="utf-8")
    text = text.replace("</gml:boundedBy>", "</gml:boundedBy>" + "\n" * 70_000, 1)
    start = text.index('<bldg:Building gml:id="DENI00000000003"')
    pos = text.index("<gml:posList>", start)
    tag = '<gml:posList srsDimension="3" count="2">' if irregular else "<gml:posList>"
    text = text[:pos] + tag + "1 2 x" + text[text.index("</gml:posList>", pos):]
    source.write_text(text, encoding="utf-8")
    line = text[:start].count("\n") + 1
    assert line > 70_000
    messages = []
    for planned in (rawread.plan, lambda _path: None):
        monkeypatch.setattr(rawread, "plan", planned)
        with pytest.raises(DataValidationError, match="building DENI00000000003: ") as err:
            convert([source], cityjson=tmp_path / "out.city.json")
        messages.append(str(err.value))
    if irregular:
        assert messages[0] == messages[1]
    else:
        assert f"{source.name}: line {line}: building" in messages[0]


def test_members_cut_across_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = generate(tmp_path / "gml", buildings=12, per_tile=12)[0]
    text = source.read_text(encoding="utf-8")
    footer = '<core:x xmlns:app="urn:a">' + "\n<app:y>zz</app:y>" * 500 + "</core:x>\n"
    source.write_text(text.replace("</core:CityModel>", footer + "</core:CityModel>"),
                      encoding="utf-8")
    whole = _outputs(source, tmp_path / "whole")
    monkeypatch.setattr(rawscan, "CHUNK", 61)  # members, gaps and the footer cut anywhere
    counts = _count_paths(monkeypatch)
    assert _outputs(source, tmp_path / "chunks") == whole
    assert counts[True] == 12


@pytest.mark.parametrize("mark", ['<bldg:measuredHeight x:uom="m">', "<x:function>"])
def test_unbound_prefix_names_file_line_and_column(tmp_path: Path, mark: str) -> None:
    """libxml2 reports an unbound prefix only as a namespace error: it still fails the file."""
    source = generate(tmp_path / "gml", buildings=8, per_tile=8)[0]
    text = source.read_text(encoding="utf-8")
    start = text.index('<bldg:Building gml:id="DENI00000000005"')
    tag = mark.split()[0].split(">")[0][1:]
    at = text.index("<bldg:measuredHeight" if "measured" in mark else "<bldg:function>", start)
    end = text.index(">", at) + 1
    close = text.index("</", end)
    text = (text[:at] + mark + text[end:close] + f"</{tag}>"
            + text[text.index(">", close) + 1:])
    source.write_text(text, encoding="utf-8")
    line = text[:at].count("\n") + 1
    with pytest.raises(DataValidationError,
                       match=rf"{re.escape(source.name)}: not well-formed XML: line {line}, "
                             r"column \d+: Namespace prefix x .*not defined"):
        convert([source], cityjson=tmp_path / "out.city.json")
    assert not (tmp_path / "out.city.json").exists()


@pytest.mark.parametrize("construct", ["<?pi x?>", "<![CDATA[x]]>"])
def test_constructs_after_the_root_go_to_lxml_reader(tmp_path: Path, construct: str) -> None:
    source = generate(tmp_path / "gml", buildings=4, per_tile=4)[0]
    plain = _outputs(source, tmp_path / "plain")
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("</core:CityModel>", f"<core:x>{construct}</core:x>"
                                   "</core:CityModel>"), encoding="utf-8")
    assert rawread.plan(source) is None
    assert _outputs(source, tmp_path / "construct") == plain


def test_comment_before_the_root_keeps_the_raw_reader(tmp_path: Path) -> None:
    source = generate(tmp_path / "gml", buildings=4, per_tile=4)[0]
    text = source.read_text(encoding="utf-8")
    root = text.index("<core:CityModel")
    source.write_text(text[:root] + "<!-- <core:CityModel> - made by hand -->\n" + text[root:],
                      encoding="utf-8")
    assert rawread.plan(source) is not None
