"""Plain records for parsed CityGML buildings (no XML, no JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: a ring as a flat list [x0, y0, z0, x1, y1, z1, ...] without the closing point
Ring = list[float]

#: no coordinate of a city is this far from 0 (m); its millimetres still fit an int64
MAX_COORDINATE = 1e12

SEMANTIC_TYPES = ("RoofSurface", "WallSurface", "GroundSurface", "ClosureSurface",
                  "OuterCeilingSurface", "OuterFloorSurface")


@dataclass(slots=True)
class Surface:
    """One planar surface: exterior ring first, then holes; its semantic type if known."""

    rings: list[Ring]
    kind: str | None = None


@dataclass(slots=True)
class Geometry:
    """A Solid (list of shells) or a MultiSurface (one list of surfaces) at one LoD."""

    type: str  # "Solid" | "MultiSurface"
    lod: str
    shells: list[list[Surface]]

    def surfaces(self) -> list[Surface]:
        """All surfaces of all shells."""
        return [s for shell in self.shells for s in shell]


@dataclass(slots=True)
class CityObject:
    """A bldg:Building or bldg:BuildingPart with its attributes, geometries and parts."""

    id: str
    type: str  # "Building" | "BuildingPart"
    attributes: dict[str, Any] = field(default_factory=dict)
    geometries: list[Geometry] = field(default_factory=list)
    addresses: list[dict[str, str]] = field(default_factory=list)
    parts: list[CityObject] = field(default_factory=list)
    code_spaces: dict[str, str] = field(default_factory=dict)
    source: str = ""
    line: int = 0

    def all_objects(self) -> list[CityObject]:
        """This object and its parts, depth first."""
        out = [self]
        for part in self.parts:
            out.extend(part.all_objects())
        return out
