"""Shared helpers for the point and polygon samples: street names and random places."""

from __future__ import annotations

import numpy as np
import shapely

from pipelines.samples import city_outline

#: Real street names of Hannover (used for plausible addresses).
STREETS = [
    "Hildesheimer Straße", "Podbielskistraße", "Lister Meile", "Königstraße", "Marienstraße",
    "Celler Straße", "Göttinger Straße", "Limmerstraße", "Engelbosteler Damm",
    "Vahrenwalder Straße", "Sallstraße", "Kirchröder Straße", "Plathnerstraße",
    "Walderseestraße", "Wunstorfer Straße", "Stöckener Straße", "Sutelstraße",
    "Misburger Straße", "Anderter Straße", "Bemeroder Straße", "Wülfeler Straße",
    "Döhrener Straße", "Bornumer Straße", "Göttinger Chaussee", "Badenstedter Straße",
    "Davenstedter Straße", "Herrenhäuser Straße", "Nienburger Straße", "Schaufelder Straße",
    "Bödekerstraße", "Jakobistraße", "Sedanstraße", "Große Düwelstraße", "Fössestraße",
    "Deisterstraße", "Ihmeplatz", "Am Lindener Berge", "Tiergartenstraße", "Emmichplatz",
    "Hohenzollernstraße", "Eilenriedestieg", "Kollenrodtstraße", "Wöhlerstraße",
    "Geibelstraße", "Stephansplatz", "Mengendamm", "Buchholzer Straße", "Pinkenburger Straße",
    "Sahlkamp", "Klingenthal", "Alte Bemeroder Straße", "Brabeckstraße", "Höversche Straße",
]


def random_points_in_city(rng: np.random.Generator, count: int, margin: float = 400.0
                          ) -> np.ndarray:
    """``count`` uniformly random (x, y) points inside the city outline (shrunk by margin)."""
    outline = city_outline().buffer(-margin)
    minx, miny, maxx, maxy = outline.bounds
    out: list[np.ndarray] = []
    have = 0
    while have < count:
        cand = rng.uniform((minx, miny), (maxx, maxy), size=(count * 2, 2))
        cand = cand[shapely.contains_xy(outline, cand[:, 0], cand[:, 1])]
        out.append(cand)
        have += len(cand)
    return np.concatenate(out)[:count]
