"""The compiled recogniser and number parser (``_rawc.c``) give what the Python reader gives,
and take only members that are well-formed by construction."""

from __future__ import annotations

import random
import re
import shutil
import sysconfig
from pathlib import Path

import numpy as np
import pytest

from opengeodata.errors import DataValidationError
from pipelines.citymodel import compiled, rawgrammar, rawread
from pipelines.citymodel.convert import convert
from pipelines.citymodel.sample import generate
from tests.pipelines.citymodel.golden_cases import CASES, run_case
from tests.pipelines.citymodel.test_fastread import _outputs
from tests.pipelines.citymodel.test_rawread import _mixed_sample

HAS_COMPILER = shutil.which((sysconfig.get_config_var("CC") or "cc").split()[0]) is not None
needs_rawc = pytest.mark.skipif(compiled.rawc is None,
                                reason="the _rawc extension is not built (no C compiler)")


def test_extension_is_built_where_a_compiler_is() -> None:
    if not HAS_COMPILER:
        pytest.skip("no C compiler on this machine: the Python reader does everything")
    assert compiled.rawc is not None, "setup.py did not build pipelines/citymodel/_rawc.c"


def _without_rawc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiled, "rawc", None)
    rawgrammar._grammar.cache_clear()  # grammars made with the extension carry its grammar


def _taken(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record, per member, whether the compiled recogniser took it."""
    taken: list[bool] = []
    original = compiled.rawc.read  # type: ignore[union-attr]

    class Spy:
        def __getattr__(self, name: str) -> object:
            return getattr(original.__self__, name)

        @staticmethod
        def read(grammar: object, member: bytes) -> object:
            result = original(grammar, member)
            taken.append(result is not None)
            return result

    monkeypatch.setattr(compiled, "rawc", Spy())
    return taken


def _compiled_and_lxml(source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                       ) -> tuple[list[bool], tuple[bytes, bytes], tuple[bytes, bytes]]:
    """(members the recogniser took, outputs with it, outputs of the lxml reader) of a file
    whose every member is offered to the raw readers."""
    monkeypatch.setattr(rawread, "STREAK", 10**9)
    taken = _taken(monkeypatch)
    with_c = _outputs(source, tmp_path / "c")
    monkeypatch.setattr(rawread, "plan", lambda _path: None)
    return taken, with_c, _outputs(source, tmp_path / "lxml")


@needs_rawc
@pytest.mark.parametrize("case", CASES)
def test_same_outputs_without_the_extension(case: str, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    taken = _taken(monkeypatch)
    with_c = run_case(case, tmp_path / "c")
    if case.startswith("generated"):
        assert taken and all(taken)  # every generated member went through the extension
    _without_rawc(monkeypatch)
    try:
        assert run_case(case, tmp_path / "py") == with_c
    finally:
        rawgrammar._grammar.cache_clear()


@needs_rawc
def test_same_outputs_without_the_extension_with_irregular_members(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _mixed_sample(tmp_path)
    monkeypatch.setattr(rawread, "STREAK", 10**9)  # every member is offered to the readers
    taken = _taken(monkeypatch)
    with_c = _outputs(source, tmp_path / "c")
    assert 0 < sum(taken) < len(taken)  # both paths in one file
    _without_rawc(monkeypatch)
    try:
        assert _outputs(source, tmp_path / "py") == with_c
    finally:
        rawgrammar._grammar.cache_clear()


MEMBER = ('<core:cityObjectMember><bldg:Building gml:id="B1">{body}</bldg:Building>'
          "</core:cityObjectMember>")
ADDRESS = ("<bldg:address><core:Address><core:xalAddress><xAL:AddressDetails>{inner}"
           "</xAL:AddressDetails></core:xalAddress></core:Address></bldg:address>")
PREFIXES = ("core:", "bldg:", "gml:", "xlink:", "gen:", "xAL:")


def _read(body: str | bytes) -> tuple | None:
    gr = rawgrammar._grammar(PREFIXES)
    member = MEMBER.format(body=body).encode() if isinstance(body, str) else \
        MEMBER.encode().replace(b"{body}", body)
    return compiled.rawc.read(gr.compiled, member)  # type: ignore[union-attr]


@needs_rawc
def test_recogniser_reads_attributes_surfaces_and_addresses() -> None:
    body = ('<gml:name>Haus</gml:name><gen:stringAttribute name="a"><gen:value>x</gen:value>'
            '</gen:stringAttribute><bldg:measuredHeight uom="m">9.5</bldg:measuredHeight>'
            '<bldg:function codeSpace="urn:f">31001</bldg:function>'
            + ADDRESS.format(inner='<xAL:Locality Type="Town"><xAL:LocalityName>Hannover'
                                   "</xAL:LocalityName></xAL:Locality>"))
    t = _read(body)
    assert t is not None
    assert t[0] == "B1" and t[2] == [(2, "Haus"), (1, "stringAttribute", "a", "x"),
                                     (0, "measuredHeight", "9.5", None),
                                     (0, "function", "31001", "urn:f")]
    assert t[8] == [[("LocalityName", "Hannover")]]


@needs_rawc
@pytest.mark.parametrize("body", [
    '<bldg:function a="1" a="2">x</bldg:function>',  # a duplicate attribute
    '<bldg:function x:a="1">x</bldg:function>',  # a prefixed attribute
    '<bldg:function xmlns:x="urn:x">x</bldg:function>',  # a namespace declaration
    "<bldg:function>x\x01</bldg:function>",  # not an XML character
    "<bldg:function>x]]></bldg:function>",  # "]]>" in text
    "<bldg:function>x &amp; y</bldg:function>",  # a reference: the expressions do not take it
    "<bldg:function>x</bldg:usage>",  # a wrong end tag
    ADDRESS.format(inner="<xAL:Country><xAL:CountryName>DE</xAL:Country>"),  # unbalanced
    ADDRESS.format(inner="<xAL:CountryName>DE<xAL:X/></xAL:CountryName>"),  # element in a field
    ADDRESS.format(inner="<xAL:CountryName/>"),  # an empty-element field
    ADDRESS.format(inner="<xAL:CountryName>xmlns</xAL:CountryName>"),  # the expressions' rule
    ADDRESS.format(inner="<foo:CountryName>DE</foo:CountryName>"),  # a prefix not on the root
    ('<bldg:consistsOfBuildingPart><bldg:BuildingPart gml:id="P"><gml:name>BuildingPart'
     "</gml:name></bldg:BuildingPart></bldg:consistsOfBuildingPart>"),  # "BuildingPart" in it
    "<bldg:lod2Solid> <gml:Solid/></bldg:lod2Solid>",  # a shape for the expressions
])
def test_recogniser_leaves_other_members_to_python(body: str) -> None:
    assert _read(body) is None
    assert _read("<bldg:function>x</bldg:function>") is not None  # the frame itself is fine


@needs_rawc
@pytest.mark.parametrize("raw", [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbf\xbe",
                                 b"\xe0\x80\x80"])
def test_recogniser_refuses_bad_utf8(raw: bytes) -> None:
    assert _read(b"<bldg:function>x" + raw + b"</bldg:function>") is None
    assert _read("<bldg:function>Straße</bldg:function>") is not None


def test_error_after_recognised_members_names_its_line(tmp_path: Path) -> None:
    """Members the recogniser took reach libxml2 as blanks: later lines stay right."""
    source = generate(tmp_path / "gml", buildings=6, per_tile=6)[0]
    text = source.read_text(encoding="utf-8")
    text = text.replace("</core:CityModel>", "<core:x>\n<y></z></core:x>\n</core:CityModel>")
    source.write_text(text, encoding="utf-8")
    line = text[:text.index("<y></z>")].count("\n") + 1
    with pytest.raises(DataValidationError,
                       match=rf"not well-formed XML: line {line}, column \d+: Opening and ending"):
        convert([source], cityjson=tmp_path / "out.city.json")
    assert not (tmp_path / "out.city.json").exists()


@needs_rawc
def test_numbers_parsed_as_numpy_parses_them() -> None:
    rng = random.Random(7)
    texts = []
    for _ in range(300):
        tokens = [f"{rng.uniform(-1e7, 1e7):.{rng.randint(0, 12)}f}" for _ in range(rng.randint(
            0, 30))]
        tokens += [rng.choice(["0", "-0.0", "+1.5", "1.", ".25", "1e3", "-2.5E-7",
                               "12345678901234567890.5", "0.1234567890123456789012345"])]
        texts.append(rng.choice([" ", "\n  ", "\t"]).join(tokens))
    parsed = compiled.rawc.parse_texts(texts)  # type: ignore[union-attr]
    assert parsed is not None
    values = np.frombuffer(parsed[0], dtype=np.float64)
    counts = np.frombuffer(parsed[1], dtype=np.int64)
    expected = [np.fromstring(t, sep=" ") for t in texts]
    assert counts.tolist() == [len(e) for e in expected]
    assert values.tobytes() == np.concatenate(expected).tobytes()  # bit for bit


@needs_rawc
@pytest.mark.parametrize("text", ["1 2 x", "1 nan 2", "1,5 2", "1e", "--1", "Straße"])
def test_numbers_other_than_decimals_left_to_numpy(text: str) -> None:
    assert compiled.rawc.parse_texts(["1 2 3", text]) is None  # type: ignore[union-attr]


def test_bad_coordinates_named_either_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = generate(tmp_path / "gml", buildings=4, per_tile=4)[0]
    text = source.read_text(encoding="utf-8")
    start = text.index('<bldg:Building gml:id="DENI00000000002"')
    pos = text.index("<gml:posList>", start) + len("<gml:posList>")
    source.write_text(text[:pos] + "1 2 " + text[pos:], encoding="utf-8")
    messages = []
    for with_c in (True, False):
        if not with_c:
            _without_rawc(monkeypatch)
        with pytest.raises(DataValidationError, match="building DENI00000000002: ") as err:
            convert([source], cityjson=tmp_path / "out.city.json")
        messages.append(re.sub(r"\s+", " ", str(err.value)))
    rawgrammar._grammar.cache_clear()
    assert messages[0] == messages[1]


@needs_rawc
def test_indented_file_taken_by_the_extension(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Whitespace between tags wherever the expressions allow it: still the compiled path, and
    the output of the lxml reader."""
    source = generate(tmp_path / "gml", buildings=25, per_tile=25)[0]
    text = source.read_text(encoding="utf-8")
    head, _, body = text.partition("<core:cityObjectMember>")
    body = re.sub(r">(?=<)", ">\n\t  ", body).replace('"/>', '" />')
    source.write_text(head + "<core:cityObjectMember>" + body, encoding="utf-8")
    taken, with_c, lxml = _compiled_and_lxml(source, tmp_path, monkeypatch)
    assert len(taken) == 25 and all(taken)
    assert lxml == with_c


@needs_rawc
def test_crlf_file_taken_by_the_extension(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CRLF line ends (Windows exports): between tags, in posLists and around texts the
    recogniser takes them; a CRLF inside a text (the parser makes it LF) goes to lxml."""
    source = generate(tmp_path / "gml", buildings=12, per_tile=12)[0]
    text = source.read_text(encoding="utf-8")
    head, _, body = text.partition("<core:cityObjectMember>")
    body = re.sub(r">(?=<)", ">\n  ", body)
    body = body.replace("<bldg:function>", "<bldg:function>\n  ", 5)  # stripped by the reader
    body = re.sub(r"(<gml:posList>[^<]*?) ", r"\1\n", body, count=20)  # wrapped coordinates
    body = body.replace('<bldg:Building gml:id="DENI00000000004">',
                        '<bldg:Building gml:id="DENI00000000004"><gml:name>Haus\nA</gml:name>')
    source.write_bytes((head + "<core:cityObjectMember>" + body).replace("\n", "\r\n").encode())
    taken, with_c, lxml = _compiled_and_lxml(source, tmp_path, monkeypatch)
    assert len(taken) == 12 and taken.count(False) == 1  # the name with a CRLF in it
    assert b'"name":"Haus\\nA"' in with_c[0]
    assert lxml == with_c


@needs_rawc
def test_what_the_recogniser_takes_is_well_formed() -> None:
    """Random edits of real members: whatever the recogniser takes, libxml2 parses (in the
    root's namespaces), so it need not see the text."""
    from lxml import etree

    source = generate(Path(__import__("tempfile").mkdtemp()) / "gml", buildings=6, per_tile=6,
                      lod=2)[0]
    text = source.read_bytes()
    root = re.search(rb"<core:CityModel[^>]*>", text)
    assert root is not None
    members = re.findall(rb"<core:cityObjectMember>.*?</core:cityObjectMember>", text, re.S)
    gr = rawgrammar._grammar(PREFIXES)
    rng = random.Random(11)
    marks = [b"<", b">", b"&", b'"', b"/", b"a", b" ", b"\r", b"\x01", b"]]>", b"\xc3", b"=",
             b"gml:", b"</gml:posList>", b"xmlns:x=\"u\" ", b"x:y=\"1\" "]
    taken = 0
    for _ in range(3000):
        m = bytearray(rng.choice(members))
        for _edit in range(rng.randint(1, 3)):
            i = rng.randrange(len(m))
            what = rng.random()
            if what < 0.3:
                del m[i:i + rng.randint(1, 4)]
            elif what < 0.8:
                m[i:i] = rng.choice(marks)
            else:
                j = rng.randrange(len(m))
                m[i:i] = m[min(i, j):max(i, j)][:40]
        member = bytes(m)
        if compiled.rawc.read(gr.compiled, member) is None:  # type: ignore[union-attr]
            continue
        taken += 1
        etree.fromstring(root.group(0) + member + b"</core:CityModel>")  # raises if not
    assert taken > 100  # many edits keep the shape (inside texts and ids)


@pytest.mark.parametrize("value", ["1e999", "nan", "-inf", "NaN", "1e20"])
@pytest.mark.parametrize("reader", ["raw", "lxml", "python"])
def test_non_finite_coordinate_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     value: str, reader: str) -> None:
    """A NaN or infinite coordinate is bad input with a clear error, not a traceback."""
    source = generate(tmp_path / "gml", buildings=3, per_tile=3)[0]
    text = source.read_text(encoding="utf-8")
    start = text.index('<bldg:Building gml:id="DENI00000000001"')
    pos = text.index("<gml:posList>", start) + len("<gml:posList>")
    source.write_text(text[:pos] + value + text[text.index(" ", pos):], encoding="utf-8")
    if reader == "lxml":
        monkeypatch.setattr(rawread, "plan", lambda _path: None)
    elif reader == "python":
        _without_rawc(monkeypatch)
    try:
        with pytest.raises(DataValidationError, match=r"line \d+: building DENI00000000001: a "
                                                      r"coordinate is (not a finite number|out "
                                                      r"of range \(1e\+20\))"):
            convert([source], cityjson=tmp_path / "out.city.json")
    finally:
        rawgrammar._grammar.cache_clear()
    assert not (tmp_path / "out.city.json").exists()


@needs_rawc
@pytest.mark.parametrize("lod", [1, 2])
def test_edited_members_give_what_lxml_gives(tmp_path: Path, lod: int) -> None:
    """Random edits inside texts, numbers and ids of members the recogniser still takes: the
    same output (or the same error) as the lxml reader."""
    source = generate(tmp_path / "gml", buildings=4, per_tile=4, lod=lod)[0]
    text = source.read_bytes()
    first = text.index(b"<core:cityObjectMember>")
    last = text.rindex(b"</core:cityObjectMember>") + len(b"</core:cityObjectMember>")
    members = re.findall(rb"<core:cityObjectMember>.*?</core:cityObjectMember>", text, re.S)
    gr = rawgrammar._grammar(PREFIXES)
    rng = random.Random(lod)
    marks = [b" ", b"\n", b"\r\n", b"a", b"1", b".", b"-", b"e", b"\xc3\x9f", b"\t", b"x", b"0"]
    done = 0
    while done < 40:
        m = bytearray(rng.choice(members))
        for _edit in range(rng.randint(1, 2)):
            i = rng.randrange(len(m))
            if rng.random() < 0.4:
                del m[i:i + rng.randint(1, 3)]
            else:
                m[i:i] = rng.choice(marks)
        if compiled.rawc.read(gr.compiled, bytes(m)) is None:  # type: ignore[union-attr]
            continue
        done += 1
        path = tmp_path / f"{done}.gml"
        path.write_bytes(text[:first] + bytes(m) + text[last:])
        outputs = []
        for planned in (rawread.plan, lambda _path: None):
            out = tmp_path / f"{done}-{len(outputs)}.city.json"
            try:
                with pytest.MonkeyPatch.context() as mp:
                    mp.setattr(rawread, "plan", planned)
                    convert([path], cityjson=out, title="t", footprints=False)
                outputs.append(out.read_bytes())
            except DataValidationError as exc:
                outputs.append(re.sub(rb"line \d+(, column \d+)?", b"", str(exc).encode()))
        assert outputs[0] == outputs[1], path.read_bytes()[first:first + 400]


@needs_rawc
@pytest.mark.parametrize("dimension", ["3", "2"])
def test_poslist_with_srs_dimension(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    dimension: str) -> None:
    """``srsDimension="3"`` on every posList (as in AdV deliveries) keeps the compiled path;
    any other dimension is left to lxml. Either way the lxml reader's output."""
    source = generate(tmp_path / "gml", buildings=8, per_tile=8)[0]
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("<gml:posList>", f'<gml:posList srsDimension="{dimension}">'),
                      encoding="utf-8")
    monkeypatch.setattr(rawread, "STREAK", 10**9)
    taken = _taken(monkeypatch)
    try:
        with_c: tuple[bytes, bytes] | str = _outputs(source, tmp_path / "c")
    except DataValidationError as exc:
        with_c = re.sub(r"line \d+", "", str(exc))
    if dimension == "3":
        assert len(taken) == 8 and all(taken)
    else:
        assert taken and not any(taken)  # 2D points: the reader stops at the first one
    monkeypatch.setattr(rawread, "plan", lambda _path: None)
    try:
        lxml: tuple[bytes, bytes] | str = _outputs(source, tmp_path / "lxml")
    except DataValidationError as exc:
        lxml = re.sub(r"line \d+", "", str(exc))
    assert lxml == with_c


SKIPPED = ("<core:externalReference><core:informationSystem>http://repository.gdi-de.org/"
           "schemas/adv/citygml/fdv/art.htm#_9100</core:informationSystem><core:externalObject>"
           "<core:name>DENI00000000X</core:name></core:externalObject></core:externalReference>"
           '<gml:boundedBy><gml:Envelope srsName="EPSG:25832" srsDimension="3"><gml:lowerCorner>'
           "1 2 3</gml:lowerCorner><gml:upperCorner>4 5 6</gml:upperCorner></gml:Envelope>"
           '</gml:boundedBy><bldg:lod0FootPrint><gml:MultiSurface gml:id="fp" xml:lang="de"/>'
           "</bldg:lod0FootPrint>\n")


@needs_rawc
def test_children_without_a_role_are_skipped(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """What the element reader ignores (external references, envelopes, LoD0, ...) the
    recogniser skips too, well-formed; the output stays the lxml reader's."""
    source = generate(tmp_path / "gml", buildings=6, per_tile=6)[0]
    text = source.read_text(encoding="utf-8")
    text = re.sub(r'(<bldg:Building gml:id="[^"]*">)', lambda m: m.group(1) + SKIPPED, text)
    source.write_text(text, encoding="utf-8")
    taken, with_c, lxml = _compiled_and_lxml(source, tmp_path, monkeypatch)
    assert len(taken) == 6 and all(taken)
    assert lxml == with_c


@needs_rawc
@pytest.mark.parametrize("body", [
    '<bldg:function x:a="1">x</bldg:function>',  # a role element the recogniser cannot read
    '<gml:name x:a="1">x</gml:name>',
    '<gen:stringAttribute name="a" x="1"><gen:value>x</gen:value></gen:stringAttribute>',
    "<bldg:lod2MultiCurve><gml:MultiCurve><foo:x/></gml:MultiCurve></bldg:lod2MultiCurve>",
    "<core:externalReference><core:name>x</core:externalReference>",  # unbalanced
    '<core:externalReference a="1" a="2"/>',
    '<core:externalReference xmlns:q="urn:q"/>',
])
def test_children_skipped_only_when_safe(body: str) -> None:
    assert _read(body) is None
    assert _read("<core:externalReference><core:name>x</core:name></core:externalReference>"
                 "<bldg:lod2MultiCurve><gml:MultiCurve gml:id='c'/></bldg:lod2MultiCurve>"
                 .replace("'", '"')) is not None
