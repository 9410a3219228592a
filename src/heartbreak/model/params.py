"""The fitted parameters of the whole model, as one small versioned JSON file.

``heartbreak model fit`` regenerates ``heartbreak/params/model.json`` from the data
(:func:`heartbreak.model.fit.fit_model`); :func:`load_params` reads it. Nothing is pickled: the
file is plain numbers with the training windows and sample sizes that produced them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from heartbreak.errors import InvalidInput
from heartbreak.model.inplay import InPlayParams
from heartbreak.model.prematch import GoalModelParams
from heartbreak.model.strengths import StrengthParams, prior_of
from heartbreak.ratings.elo import EloParams

PARAMS_VERSION = 2
PACKAGED = "model.json"


@dataclass(frozen=True)
class ModelParams:
    """Ratings, pre-match goal model and in-play goal process, with how they were fitted.

    ``strengths``: the goal model every prediction uses (:mod:`heartbreak.model.strengths`);
    ``goals``: the Elo-only goal model it replaced (:mod:`heartbreak.model.prematch`), kept as
    the baseline the evaluation compares it with."""

    elo: EloParams = field(default_factory=EloParams)
    strengths: StrengthParams = field(default_factory=StrengthParams)
    goals: GoalModelParams = field(default_factory=GoalModelParams)
    inplay: InPlayParams = field(default_factory=InPlayParams)
    fitted: dict[str, Any] = field(default_factory=dict)
    version: int = PARAMS_VERSION

    @property
    def goal_prior(self) -> dict[str, float]:
        """The goal model's coefficients before its first fit: the Elo-only model's."""
        g = self.goals
        return prior_of(g.intercept, g.rating_slope, g.home_attack, g.home_defence)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "fitted": self.fitted,
            "elo": asdict(self.elo),
            "strengths": self.strengths.to_dict(),
            "goals": self.goals.to_dict(),
            "inplay": self.inplay.to_dict(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelParams:
        if not isinstance(data, dict):
            raise InvalidInput(
                f"parameter file: expected a JSON object, found {type(data).__name__}"
            )
        if data.get("version") != PARAMS_VERSION:
            raise InvalidInput(
                f"version: parameter file version {data.get('version')!r}, expected "
                f"{PARAMS_VERSION}; regenerate it with `heartbreak model fit`"
            )
        try:
            inplay = dict(data["inplay"])
            inplay["minute_rates"] = tuple(inplay["minute_rates"])
            return cls(
                elo=EloParams(**data["elo"]),
                strengths=StrengthParams(**data["strengths"]),
                goals=GoalModelParams(**data["goals"]),
                inplay=InPlayParams(**inplay),
                fitted=dict(data.get("fitted", {})),
                version=data["version"],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(f"parameter file: {exc}") from None


def packaged_path() -> Path:
    return Path(str(resources.files("heartbreak") / "params" / PACKAGED))


def load_params(path: str | Path | None = None) -> ModelParams:
    """The parameters from ``path``, or the packaged file."""
    target = Path(path) if path is not None else packaged_path()
    try:
        text = target.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"parameter file {target}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"parameter file {target}: not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{target}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    try:
        return ModelParams.from_dict(data)
    except InvalidInput as exc:
        raise InvalidInput(f"{target}: {exc.message}") from None


def save_params(params: ModelParams, path: str | Path) -> Path:
    target = Path(path)
    try:
        target.write_text(params.to_json(), encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"parameter file {target}: {exc.strerror}") from None
    return target
