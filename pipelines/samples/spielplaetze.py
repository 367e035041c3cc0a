"""Write the bundled sample of ``spielplaetze``: playgrounds as a CSV with x/y columns.

Delivered as German spreadsheet software writes it: semicolon separated, CP1252 encoded,
coordinates in EPSG:25832 in columns ``X`` and ``Y`` and no CRS in the file.

Run: ``python -m pipelines.samples.spielplaetze datasets/spielplaetze/sample/spielplaetze.csv``
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import numpy as np

from pipelines.samples.places import STREETS, random_points_in_city

COUNT = 240
EQUIPMENT = ["Schaukel", "Rutsche", "Sandkasten", "Klettergerüst", "Wippe", "Seilbahn",
             "Karussell", "Tischtennisplatte", "Bolzplatz", "Wasserspiel", "Balancierbalken",
             "Spielhaus", "Nestschaukel", "Trampolin"]
AGES = ["0-6 Jahre", "6-12 Jahre", "0-12 Jahre", "12-18 Jahre", "alle Altersgruppen"]
KINDS = ["Spielplatz", "Spielplatz", "Spielplatz", "Bolzplatz", "Wasserspielplatz",
         "Abenteuerspielplatz"]


def rows(seed: int = 7) -> list[dict[str, str]]:
    """The playground records."""
    rng = np.random.default_rng(seed)
    points = random_points_in_city(rng, COUNT, margin=600)
    out = []
    for i, (x, y) in enumerate(points):
        street = STREETS[int(rng.integers(len(STREETS)))]
        kind = KINDS[int(rng.integers(len(KINDS)))]
        items = rng.choice(EQUIPMENT, size=int(rng.integers(2, 7)), replace=False)
        out.append({
            "SPIELPLATZ_ID": f"SP{i + 1:04d}",
            "NAME": f"{kind} {street}",
            "ART": kind,
            "AUSSTATTUNG": ", ".join(sorted(str(s) for s in items)),
            "ALTERSGRUPPE": AGES[int(rng.integers(len(AGES)))],
            "FLAECHE_M2": str(int(rng.integers(150, 6000))),
            "X": f"{x:.2f}".replace(".", ","),
            "Y": f"{y:.2f}".replace(".", ","),
        })
    return out


def to_csv(records: list[dict[str, str]]) -> bytes:
    """Semicolon separated CSV bytes in CP1252 with Windows line ends."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(records[0]), delimiter=";",
                            lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records)
    return buf.getvalue().encode("cp1252")


def main(argv: list[str]) -> int:
    """Write the CSV to the path given as the only argument."""
    out = Path(argv[0]) if argv else Path("datasets/spielplaetze/sample/spielplaetze.csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(to_csv(rows()))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
