"""CLI commands for published versions: ``opengeodata versions ID`` and ``rollback``."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.table import Table

from opengeodata.console import console
from opengeodata.declaration import load_all
from opengeodata.errors import OpenGeoDataError
from opengeodata.manifest import Manifest
from opengeodata.store import Store


def _fail(error: OpenGeoDataError) -> None:
    console.print(f"[red]error:[/red] {error}", markup=True, soft_wrap=True)
    sys.exit(1)


def _size(manifest: Manifest) -> str:
    total = float(sum(o.size for o in manifest.files))  # on disk: with the server files
    for unit in ("B", "KB", "MB", "GB"):
        if total < 1024 or unit == "GB":
            return f"{total:.0f} {unit}" if unit == "B" else f"{total:.1f} {unit}"
        total /= 1024
    return ""


@click.command()
@click.argument("dataset_id")
@click.pass_obj
def versions(obj: object, dataset_id: str) -> None:
    """List the kept versions of a dataset (newest first; * marks the live one)."""
    settings = obj.settings  # type: ignore[attr-defined]
    try:
        load_all(settings.datasets_dir, [dataset_id])
    except OpenGeoDataError as exc:
        _fail(exc)
    store = Store.from_settings(settings)
    live = store.live_version(dataset_id)
    names = store.versions(dataset_id)
    if not names:
        console.print(f"{dataset_id}: no published versions; run: opengeodata refresh "
                      f"{dataset_id}")
        return
    table = Table("", "version", "published", "features", "files", "size", "quality")
    for name in reversed(names):
        manifest = Manifest.read(store.dataset_dir(dataset_id) / "versions" / name)
        table.add_row("*" if name == live else "", name, manifest.created,
                      str(manifest.feature_count), str(len(manifest.outputs)), _size(manifest),
                      manifest.quality.summary())
    Console(width=200).print(table)


@click.command()
@click.argument("dataset_id")
@click.argument("version", required=False)
@click.pass_obj
def rollback(obj: object, dataset_id: str, version: str | None) -> None:
    """Make an older VERSION live again (default: the one before the live version)."""
    from pipelines.lock import dataset_lock

    settings = obj.settings  # type: ignore[attr-defined]
    try:
        load_all(settings.datasets_dir, [dataset_id])
        with dataset_lock(settings.data_dir, dataset_id, log=console.print):
            store = Store.from_settings(settings)
            old, new = store.rollback(dataset_id, version)
            if settings.database_url:
                from pipelines.runner import switch_database

                switch_database(settings.database_url, store, dataset_id, new, old)
    except OpenGeoDataError as exc:
        _fail(exc)
    if old == new:
        console.print(f"= {dataset_id}: {new} is already live")
    else:
        console.print(f"[green]✓ {dataset_id}: live version is now {new}[/green] (was {old})",
                      soft_wrap=True)


def register(group: click.Group) -> None:
    """Add the version commands to the main CLI group."""
    group.add_command(versions)
    group.add_command(rollback)
