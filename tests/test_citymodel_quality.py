"""Data quality of CityGML input: implausible measuredHeight, LoD4 -> schema-valid CityJSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pipelines.citymodel.convert import convert
from pipelines.citymodel.sample import generate
from tests.test_citymodel_cityjson import assert_valid_cityjson, needs_schemas

HEIGHT = re.compile(r'(<bldg:measuredHeight uom="[^"]*">)([^<]*)(</bldg:measuredHeight>)')


def _with_bad_heights(tmp: Path) -> tuple[Path, list[str]]:
    """A generated tile whose first two main buildings say 0 m and 25 km."""
    source = generate(tmp / "gml", buildings=12, per_tile=12)[0]
    text = source.read_text(encoding="utf-8")
    bad = iter(["0", "25000.0"])
    changed: list[str] = []

    def swap(match: re.Match[str]) -> str:
        if float(match.group(2)) < 3 or len(changed) >= 2:  # keep the garages' 2.8 m
            return match.group(0)
        start = text.rfind('<bldg:Building gml:id="', 0, match.start())
        changed.append(text[start:].split('"', 2)[1])
        return match.group(1) + next(bad) + match.group(3)

    source.write_text(HEIGHT.sub(swap, text), encoding="utf-8")
    return source, changed


def test_implausible_measured_height_is_reported_and_replaced(tmp_path: Path) -> None:
    source, changed = _with_bad_heights(tmp_path)
    result = convert([source], cityjson=tmp_path / "out.city.json")
    checks = result.quality.checks()["measured_height"]
    assert checks["replaced"] == 2
    assert checks["zero_or_negative"] == 1 and checks["implausible"] == 1
    assert {e["gml_id"] for e in checks["examples"]} == set(changed)
    assert {e["measuredHeight"] for e in checks["examples"]} == {0.0, 25000.0}
    assert any("measuredHeight" in w for w in result.quality.warnings())
    doc = json.loads((tmp_path / "out.city.json").read_text(encoding="utf-8"))
    frame = result.frame.set_index("gml_id")
    for example in checks["examples"]:
        obj = doc["CityObjects"][example["gml_id"]]
        assert obj["attributes"]["measuredHeight"] == example["geometry_height"]
        assert 2 < example["geometry_height"] < 40
        assert frame.loc[example["gml_id"], "hoehe"] == example["geometry_height"]
    # plausible values stay as delivered
    assert checks["checked"] > 12 and (frame["hoehe"] < 40).all()


LOD4 = """<?xml version="1.0" encoding="UTF-8"?>
<core:CityModel xmlns:core="http://www.opengis.net/citygml/2.0"
 xmlns:bldg="http://www.opengis.net/citygml/building/2.0"
 xmlns:gml="http://www.opengis.net/gml" xmlns:xlink="http://www.w3.org/1999/xlink">
 <core:cityObjectMember><bldg:Building gml:id="L4">
  <bldg:measuredHeight uom="m">6</bldg:measuredHeight>
  <bldg:lod4Solid><gml:Solid srsName="EPSG:25832"><gml:exterior><gml:CompositeSurface>
   <gml:surfaceMember xlink:href="#L4_wall"/>{faces}
  </gml:CompositeSurface></gml:exterior></gml:Solid></bldg:lod4Solid>
  <bldg:boundedBy><bldg:WallSurface gml:id="L4_ws"><bldg:lod4MultiSurface><gml:MultiSurface>
   <gml:surfaceMember><gml:Polygon gml:id="L4_wall"><gml:exterior><gml:LinearRing><gml:posList>
    550000 5800000 50 550010 5800000 50 550010 5800000 56 550000 5800000 56 550000 5800000 50
   </gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>
  </gml:MultiSurface></bldg:lod4MultiSurface>
  <bldg:opening><bldg:Window gml:id="L4_win"><bldg:lod4MultiSurface><gml:MultiSurface>
   <gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>
    550002 5800000 52 550004 5800000 52 550004 5800000 54 550002 5800000 54 550002 5800000 52
   </gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>
  </gml:MultiSurface></bldg:lod4MultiSurface></bldg:Window></bldg:opening>
  </bldg:WallSurface></bldg:boundedBy>
  <bldg:interiorRoom><bldg:Room gml:id="L4_room"><bldg:lod4Solid><gml:Solid><gml:exterior>
   <gml:CompositeSurface>{faces}</gml:CompositeSurface></gml:exterior></gml:Solid>
  </bldg:lod4Solid></bldg:Room></bldg:interiorRoom>
 </bldg:Building></core:cityObjectMember>
 <core:cityObjectMember><bldg:Building gml:id="L34">
  <bldg:lod3MultiSurface><gml:MultiSurface srsName="EPSG:25832">{members}</gml:MultiSurface>
  </bldg:lod3MultiSurface>
  <bldg:lod4MultiSurface><gml:MultiSurface>{members}</gml:MultiSurface></bldg:lod4MultiSurface>
 </bldg:Building></core:cityObjectMember>
</core:CityModel>
"""


def _faces(x: float) -> list[str]:
    pts = [(x, 5800010), (x + 10, 5800010), (x + 10, 5800020), (x, 5800020)]
    rings = [[(px, py, 50) for px, py in reversed(pts)], [(px, py, 56) for px, py in pts]]
    return ["<gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>"
            + " ".join(f"{px} {py} {pz}" for px, py, pz in [*ring, ring[0]])
            + "</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>" for ring in rings]


@needs_schemas
def test_lod4_input_gives_schema_valid_cityjson_with_a_warning(tmp_path: Path) -> None:
    faces = "".join(f"<gml:surfaceMember>{f}</gml:surfaceMember>" for f in _faces(550000))
    members = "".join(f"<gml:surfaceMember>{f}</gml:surfaceMember>" for f in _faces(550100))
    source = tmp_path / "lod4.gml"
    source.write_text(LOD4.replace("{faces}", faces).replace("{members}", members),
                      encoding="utf-8")
    result = convert([source], cityjson=tmp_path / "out.city.json",
                     cityjsonseq=tmp_path / "out.city.jsonl", tiles3d=tmp_path / "out.3tz")
    doc = json.loads((tmp_path / "out.city.json").read_text(encoding="utf-8"))
    assert_valid_cityjson(doc)
    lods = {key: sorted(g["lod"] for g in obj["geometry"])
            for key, obj in doc["CityObjects"].items()}
    assert lods == {"L4": ["3"], "L34": ["3"]}
    solid = next(g for g in doc["CityObjects"]["L4"]["geometry"] if g["type"] == "Solid")
    assert len(solid["boundaries"][0]) == 3  # wall (by reference) + floor + roof; no room
    assert solid["semantics"]["surfaces"] == [{"type": "WallSurface"}]
    checks = result.quality.checks()
    assert checks["lod4"] == {"mapped_to_lod3": 1, "dropped": 1}
    assert any("no LoD4" in w for w in result.quality.warnings())
    assert result.tiles3d is not None and result.tiles3d.buildings == 2
