"""`opengeodata convert ...`: convert source deliveries to GeoPackage without a declaration.

Each format is one subcommand function on the ``convert`` group.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from opengeodata.cli_convert_citygml import citygml
from opengeodata.console import console
from opengeodata.errors import OpenGeoDataError


@click.group(short_help="Convert source deliveries (ALKIS NAS) into GeoPackages.")
def convert() -> None:
    """Convert source deliveries (ALKIS NAS, CityGML) without publishing them."""


@convert.command("nas")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="GeoPackage to write (layers flurstuecke and gebaeude, EPSG:25832).")
def convert_nas(inputs: tuple[Path, ...], output: Path) -> None:
    """Convert an ALKIS NAS delivery (one or more files) into a GeoPackage."""
    from pipelines.cadastral import convert as convert_delivery

    try:
        result = convert_delivery(list(inputs), output)
    except OpenGeoDataError as exc:
        console.print(f"[red]error:[/red] {exc}", soft_wrap=True)
        sys.exit(1)
    for layer, (count, checks) in result.items():
        console.print(f"{layer}: {count} features", markup=False)
        for warning in checks.warnings:
            console.print(f"  warning: {warning}", markup=False, soft_wrap=True)
    console.print(f"wrote {output}", markup=False)


convert.add_command(citygml)
