"""The `opengeodata` command line: thin wrappers around the package and the pipelines."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from opengeodata.cli_convert import convert
from opengeodata.cli_versions import register as register_version_commands
from opengeodata.console import console
from opengeodata.declaration import json_schema, load_all
from opengeodata.errors import OpenGeoDataError
from opengeodata.settings import from_environment
from opengeodata.store import Store


class Context:
    """Settings and output options shared by all commands."""

    def __init__(self, quiet: bool, verbose: bool) -> None:
        self.settings = from_environment().resolved()
        self.quiet = quiet
        self.verbose = verbose

    def log(self, message: str) -> None:
        """A progress line (hidden with --quiet)."""
        if not self.quiet:
            console.print(message, markup=False)


def _fail(error: OpenGeoDataError) -> None:
    console.print(f"[red]error:[/red] {error}", markup=True, soft_wrap=True)
    sys.exit(1)


class _Group(click.Group):
    """Accept the global --quiet/--verbose flags after the subcommand too."""

    FLAGS = ("-q", "--quiet", "-v", "--verbose")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        end = args.index("--") if "--" in args else len(args)
        flags = [a for a in args[:end] if a in self.FLAGS]
        rest = [a for a in args[:end] if a not in self.FLAGS] + args[end:]
        return super().parse_args(ctx, flags + rest)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--quiet", "-q", is_flag=True, help="Only errors and results.")
@click.option("--verbose", "-v", is_flag=True, help="More detail.")
@click.pass_context
def main(ctx: click.Context, quiet: bool, verbose: bool) -> None:
    """opengeodata: open geodata catalogue and tile server."""
    try:
        ctx.obj = Context(quiet, verbose)
    except OpenGeoDataError as exc:
        _fail(exc)


@main.command()
@click.pass_obj
def datasets(obj: Context) -> None:
    """List declared datasets with live version, publish time and feature count."""
    try:
        declared = load_all(obj.settings.datasets_dir)
    except OpenGeoDataError as exc:
        _fail(exc)
    store = Store.from_settings(obj.settings)
    table = Table("id", "title", "live version", "published", "features", "quality")
    for dataset in declared:
        manifest = store.live_manifest(dataset.decl.id)
        if manifest is None:
            table.add_row(dataset.decl.id, dataset.decl.title, "-", "-", "-", "not published")
        else:
            table.add_row(dataset.decl.id, dataset.decl.title, manifest.version,
                          manifest.created, str(manifest.feature_count),
                          manifest.quality.summary())
    Console(width=200).print(table)
    if obj.verbose:
        for dataset in declared:
            manifest = store.live_manifest(dataset.decl.id)
            if manifest is not None:
                click.echo(f"{dataset.decl.id} quality report:")
                for line in manifest.quality.details():
                    click.echo(f"  {line}")


@main.command()
@click.argument("ids", nargs=-1)
@click.option("--force", is_flag=True, help="Rebuild even when nothing changed.")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="Wait for a running refresh of the same dataset, or fail at once.")
@click.pass_obj
def refresh(obj: Context, ids: tuple[str, ...], force: bool, wait: bool) -> None:
    """Refresh all datasets, or the ones named: validate, build, publish atomically."""
    from pipelines.runner import run_many

    try:
        declared = load_all(obj.settings.datasets_dir, list(ids) or None)
    except OpenGeoDataError as exc:
        _fail(exc)
    from pipelines.progress import Progress

    progress = Progress(console, bar=console.is_terminal, quiet=obj.quiet, verbose=obj.verbose)
    with progress:
        results = run_many(declared, obj.settings, force=force, progress=progress, wait=wait)
    failed = 0
    for result in results:
        if result.status == "failed":
            failed += 1
            console.print(f"[red]✗ {result.dataset}: failed[/red]\n  {result.message}",
                          soft_wrap=True)
            if result.quarantine is not None:
                note = f" ({result.quarantine_note})" if result.quarantine_note else ""
                console.print(f"  input kept in {result.quarantine}{note}", soft_wrap=True)
        elif result.status == "busy":
            failed += 1
            console.print(f"[yellow]… {result.dataset}: {result.message}[/yellow]")
        elif result.status == "unchanged":
            note = f"; {result.message}" if "rolled back" in result.message else ""
            console.print(f"= {result.dataset}: unchanged, nothing to do ({result.version}{note})",
                          soft_wrap=True)
        else:
            console.print(f"[green]✓ {result.dataset}: published {result.version}[/green] "
                          f"({result.message})")
    if failed:
        sys.exit(1)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", type=int, default=None, help="WSGI workers (default: settings).")
@click.pass_obj
def serve(obj: Context, host: str, port: int, workers: int | None) -> None:
    """Serve the OGC APIs, downloads and catalogue with gunicorn."""
    from opengeodata.server.wsgi import serve as run_server

    settings = obj.settings
    if not settings.base_url:
        settings = settings.model_copy(update={"base_url": f"http://{host}:{port}"})
    try:  # bad object storage settings fail here, naming the variable, not in each worker
        store = Store.from_settings(settings, serving=True)
    except OpenGeoDataError as exc:
        _fail(exc)
    where = f", files from {store.object_store_url}" if store.object_store_url else ""
    console.print(f"serving on http://{host}:{port} ({workers or settings.workers} workers"
                  f"{where})")
    run_server(settings, host, port, workers or settings.workers)


@main.command()
def schema() -> None:
    """Print the JSON Schema of dataset.yml."""
    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


@main.group()
def dataset() -> None:
    """Manage dataset declarations."""


@dataset.command("new")
@click.argument("dataset_id")
@click.option("--source", "source", required=True, type=click.Path(path_type=Path),
              help="Any OGR-readable vector file.")
@click.option("--title", default=None, help="Dataset title.")
@click.option("--layer", default=None, help="Layer of a multi-layer source.")
@click.pass_obj
def dataset_new(obj: Context, dataset_id: str, source: Path, title: str | None,
                layer: str | None) -> None:
    """Scaffold datasets/ID/dataset.yml from a vector file."""
    from opengeodata.scaffold import scaffold

    try:
        path = scaffold(obj.settings.datasets_dir, dataset_id, source, title, layer)
    except OpenGeoDataError as exc:
        _fail(exc)
    console.print(f"wrote {path}; edit it, then run: opengeodata refresh {dataset_id}",
                  soft_wrap=True)


register_version_commands(main)
main.add_command(convert)

if __name__ == "__main__":
    main()
