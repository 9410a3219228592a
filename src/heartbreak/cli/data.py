"""``heartbreak data fetch`` and ``heartbreak data build``: get the sources, build the store."""

from __future__ import annotations

from pathlib import Path

import typer

from heartbreak.cli._common import LazyConsole, handle_errors, make_progress
from heartbreak.cli.options import DataDirOption, DbOption

data_app = typer.Typer(
    help="Fetch the source files and build the store.",
    no_args_is_help=True,
    add_completion=False,
)

console = LazyConsole()


@data_app.command("fetch")
def fetch(
    from_dir: Path | None = typer.Option(
        None,
        "--from",
        help="Copy the files from this folder (with international/ and worldcup/) "
        "instead of downloading them.",
    ),
    dest: Path | None = typer.Option(
        None, "--dest", help="Where to put them (default: $HEARTBREAK_DATA_DIR or the user folder)."
    ),
) -> None:
    """Download (or copy) every source file and verify its pinned SHA-256."""
    from heartbreak import config
    from heartbreak.data.fetch import fetch_sources

    with handle_errors():
        target = config.data_dir(dest)
        with make_progress() as progress:
            paths = fetch_sources(target, from_dir, progress)
        console.print(f"{len(paths)} source files verified in {target}")


@data_app.command("build")
def build(
    db: Path | None = DbOption,
    data_dir: Path | None = DataDirOption,
    skip_bad_rows: bool = typer.Option(
        False, "--skip-bad-rows", help="Leave malformed source rows out instead of failing."
    ),
    allow_modified: bool = typer.Option(
        False,
        "--allow-modified",
        help="Build even from source files whose SHA-256 is not the pinned one (recorded in "
        "the store and shown by `data info`).",
    ),
) -> None:
    """Verify and validate the sources and build the store (atomically: a failed build changes
    nothing)."""
    from rich.table import Table

    from heartbreak import config
    from heartbreak.build import build_store
    from heartbreak.data.sources import ATTRIBUTION_INTERNATIONAL, ATTRIBUTION_WORLDCUP

    with handle_errors():
        with make_progress() as progress:
            report = build_store(
                config.data_dir(data_dir),
                config.db_path(db),
                skip_bad_rows,
                progress,
                allow_modified=allow_modified,
            )
        table = Table(title=f"Store built in {report.seconds:.1f} s: {report.db_path}")
        table.add_column("Table")
        table.add_column("Rows", justify="right")
        for name, count in report.counts.items():
            table.add_row(name, f"{count:,}")
        console.print(table)
        if report.skipped:
            console.print(f"[yellow]skipped {report.skipped} bad source rows:[/yellow]")
            for row in report.skipped_rows[:20]:
                console.print(f"  {row.message}", markup=False)
        for warning in report.warnings:
            console.print(f"warning: {warning}", markup=False, style="yellow")
        console.print(f"Sources: {ATTRIBUTION_INTERNATIONAL}.", markup=False, style="dim")
        console.print(f"World Cup data: {ATTRIBUTION_WORLDCUP}.", markup=False, style="dim")


@data_app.command("info")
def info(
    db: Path | None = DbOption,
) -> None:
    """Show when and from which files the store was built."""
    from heartbreak import config
    from heartbreak.data.sources import SOURCES_BY_PATH
    from heartbreak.data.store import Store

    with handle_errors():
        with Store(config.db_path(db)) as store:
            meta = store.meta()
        console.print(f"schema {meta['schema_version']}, built {meta.get('built_at')}")
        for name, count in meta["counts"].items():
            console.print(f"  {name}: {count:,}")
        for file, digest in meta["sources"].items():
            console.print(f"  {file}  {digest}", markup=False)
        # The files whose recorded SHA-256 is not the pinned one (a store of an older version
        # recorded no ``modified`` list, so it is worked out from the hashes).
        modified = {
            file: digest
            for file, digest in meta["sources"].items()
            if file in SOURCES_BY_PATH and SOURCES_BY_PATH[file].sha256 != digest
        }
        if modified:
            console.print(
                f"built with --allow-modified: {len(modified)} source "
                f"file{'s' if len(modified) > 1 else ''} differ from the pinned versions",
                markup=False,
                style="yellow",
            )
            for file, digest in modified.items():
                pinned = SOURCES_BY_PATH[file].sha256
                console.print(f"  {file}  {digest} (pinned {pinned})", markup=False, soft_wrap=True)
        else:
            console.print("every source file has its pinned SHA-256", markup=False)
