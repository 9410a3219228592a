"""``heartbreak model fit`` and ``heartbreak eval``: parse, call the Python API, format."""

from __future__ import annotations

import json
import math
from pathlib import Path

import typer

from heartbreak.cli._common import LazyConsole, handle_errors, make_progress
from heartbreak.cli.options import (
    DataDirOption,
    DbOption,
    FormatOption,
    OutputFormat,
    open_session,
    print_json,
)

model_app = typer.Typer(
    help="Fit the model's parameters on the training years.", no_args_is_help=True
)
console = LazyConsole()


@model_app.command("fit")
def fit(
    train_end: str = typer.Option(
        "2019-07-01", "--train-end", help="Fit on matches before this date."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Write the parameter file here (default: the packaged file)."
    ),
    db: Path | None = DbOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Fit every parameter on matches before --train-end and write the parameter file."""
    from heartbreak.model.params import ModelParams
    from heartbreak.services import fit_parameters

    with handle_errors():
        # Fitting needs no earlier parameters: start from the documented defaults.
        session = open_session(db, data_dir, params=ModelParams())
        params, path = fit_parameters(session, train_end=train_end, out=out)
        console.print(f"wrote {path}")
        console.print_json(json.dumps(params.to_dict()["goals"]))


def eval_command(
    date_from: str = typer.Option(
        "2010-07-01",
        "--from",
        help="First held-out date; each year from 1 July is refitted on the matches before it.",
    ),
    date_to: str | None = typer.Option(
        None, "--to", help="Held-out matches before this date (default: to the last match)."
    ),
    selection: str = typer.Option(
        "well_recorded", "--selection", help="well_recorded (default) or complete."
    ),
    diagrams: Path | None = typer.Option(
        None,
        "--diagrams",
        help="Write a reliability diagram per checkpoint (PNG) into this folder.",
    ),
    output: OutputFormat = FormatOption,
    db: Path | None = DbOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Walk-forward evaluation of in-play probabilities against two baselines."""
    from heartbreak.model.params import ModelParams
    from heartbreak.services import evaluate

    with handle_errors():
        session = open_session(db, data_dir, params=ModelParams())
        # A refit per evaluation year (a few seconds each): a bar on stderr while it runs.
        with make_progress() as progress:
            results = evaluate(
                session,
                date_from=date_from,
                date_to=date_to,
                selection=selection,
                diagrams=diagrams,
                progress=progress,
            )
        if output is OutputFormat.json:
            print_json(json_safe(results), ensure_ascii=True, allow_nan=False)
            return
        print_results(results)


def json_safe(value):
    """Standard JSON has no NaN or infinity: such numbers (e.g. the forecast and frequency of an
    empty reliability bin) become null, as in every other JSON output of the CLI."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _difference(scores: dict, key: str) -> str:
    """``+0.0012 [−0.0003, +0.0027]``: the mean difference to the reference and its interval."""
    diff = scores.get("vs_constant_poisson", {}).get(key)
    if diff is None:
        return ""
    return f"{diff['mean']:+.4f} [{diff['low']:+.4f}, {diff['high']:+.4f}]"


def print_results(results: dict) -> None:
    from rich.table import Table

    inplay = results["inplay"]
    years = inplay.get("years", [])
    console.print(
        f"Held-out: {inplay['matches']} matches from {inplay['date_from']}"
        f"{' to ' + inplay['date_to'] if inplay['date_to'] else ''} ({inplay['selection']}), "
        f"{len(years)} evaluation year{'s' if len(years) != 1 else ''} each refitted on the "
        f"matches before it; lookup table from {inplay['training_matches']} earlier matches "
        "at the start"
    )
    table = Table(title="In-play forecasts of the result after 90 minutes")
    columns = (
        "min",
        "n",
        "forecaster",
        "RPS",
        "ΔRPS vs constant [95%]",
        "log loss",
        "Δlog loss vs constant [95%]",
        "Brier H",
        "ECE H",
        "ECE p90 noise",
        "Brier adv",
    )
    for column in columns:
        table.add_column(column, justify="right")
    for entry in inplay["checkpoints"]:
        for name, s in entry["forecasters"].items():
            table.add_row(
                f"{entry['checkpoint']}'",
                str(entry["n"]),
                name,
                f"{s['rps']:.4f}",
                _difference(s, "rps") if name != "constant_poisson" else "",
                f"{s['log_loss']:.4f}",
                _difference(s, "log_loss") if name != "constant_poisson" else "",
                f"{s['brier_home_win']:.4f}",
                f"{s['ece_home_win']:.4f}",
                f"{s['ece_noise_p90']:.4f}",
                f"{s['brier_advance']:.4f}" if "brier_advance" in s else "",
            )
        table.add_section()
    console.print(table)
    pre = results["prematch"]
    table = Table(title=f"Pre-match, major final tournaments {pre['from']}–{pre['to']}")
    for column in ("forecaster", "n", "RPS", "log loss"):
        table.add_column(column, justify="right")
    for row in pre["summary"]:
        table.add_row(
            row["forecaster"], str(row["n"]), f"{row['rps']:.4f}", f"{row['log_loss']:.4f}"
        )
    console.print(table)
