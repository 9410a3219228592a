"""The parameter file: JSON round trip, errors a user can cause, and the packaged file."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from heartbreak.errors import InvalidInput
from heartbreak.model.inplay import TIME_BINS, InPlayParams
from heartbreak.model.params import (
    PARAMS_VERSION,
    ModelParams,
    load_params,
    packaged_path,
    save_params,
)
from heartbreak.model.prematch import GoalModelParams
from heartbreak.ratings.elo import EloParams


@pytest.fixture
def params() -> ModelParams:
    """Parameters that differ from the defaults in every block."""
    return ModelParams(
        elo=replace(EloParams(), home_advantage=85.0, k_friendly=15.0),
        goals=GoalModelParams(
            intercept=0.31, rating_slope=0.74, home_attack=0.09, home_defence=-0.33, rho=-0.05
        ),
        inplay=InPlayParams(
            minute_rates=tuple(0.7 + 0.05 * b for b in range(len(TIME_BINS))),
            stoppage_first_half=2.5,
            stoppage_second_half=5.25,
            stoppage_extra_first=0.75,
            stoppage_extra_second=1.5,
            red_card_own=0.55,
            red_card_opponent=1.2,
            rho=-0.05,
            shootout_home=0.5,
        ),
        fitted={"train_end": "2019-07-01", "goal_model_window": ["2009-07-01", "2019-07-01"]},
    )


def write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------- round trip


def test_round_trip_through_json(params: ModelParams) -> None:
    again = ModelParams.from_dict(json.loads(params.to_json()))
    assert again == params
    assert again.to_dict() == params.to_dict()
    assert isinstance(again.inplay.minute_rates, tuple)


def test_round_trip_through_a_file(params: ModelParams, tmp_path: Path) -> None:
    target = save_params(params, tmp_path / "p.json")
    assert target == tmp_path / "p.json"
    assert target.read_text(encoding="utf-8") == params.to_json()
    assert load_params(target) == params
    assert load_params(str(target)) == params


def test_defaults_round_trip() -> None:
    assert ModelParams.from_dict(json.loads(ModelParams().to_json())) == ModelParams()


def test_to_dict_is_plain_json(params: ModelParams) -> None:
    data = params.to_dict()
    assert list(data) == ["version", "fitted", "elo", "strengths", "goals", "inplay"]
    assert data["version"] == PARAMS_VERSION
    assert data["inplay"]["minute_rates"] == list(params.inplay.minute_rates)
    assert json.loads(json.dumps(data)) == data


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("version", [0, 1, 3, "2", None])
def test_version_mismatch_names_the_version(params: ModelParams, version) -> None:
    data = params.to_dict()
    data["version"] = version
    with pytest.raises(InvalidInput, match=r"^version: .*" + re.escape(repr(version))) as info:
        ModelParams.from_dict(data)
    assert "heartbreak model fit" in str(info.value)


def test_missing_version_is_a_mismatch(params: ModelParams) -> None:
    data = params.to_dict()
    del data["version"]
    with pytest.raises(InvalidInput, match="version"):
        ModelParams.from_dict(data)


def test_version_mismatch_from_a_file(params: ModelParams, tmp_path: Path) -> None:
    data = params.to_dict()
    data["version"] = PARAMS_VERSION + 1
    target = write(tmp_path / "p.json", data)
    with pytest.raises(InvalidInput, match=f"version {PARAMS_VERSION + 1}") as info:
        load_params(target)
    assert str(info.value).startswith(f"{target}: ")


def test_malformed_json_names_file_and_line(params: ModelParams, tmp_path: Path) -> None:
    lines = params.to_json().splitlines()
    assert lines[2].strip().startswith('"fitted"')
    lines[2] = lines[2].replace(":", "", 1)  # line 3: a key without its colon
    target = tmp_path / "broken.json"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=re.escape(f"{target}:3: not valid JSON")):
        load_params(target)


def test_truncated_file_names_its_last_line(params: ModelParams, tmp_path: Path) -> None:
    text = params.to_json()
    target = tmp_path / "short.json"
    target.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(InvalidInput, match=re.escape(f"{target}:")):
        load_params(target)


def test_empty_file(tmp_path: Path) -> None:
    target = tmp_path / "empty.json"
    target.write_text("", encoding="utf-8")
    with pytest.raises(InvalidInput, match=re.escape(f"{target}:1:")):
        load_params(target)


@pytest.mark.parametrize("content", ["[1, 2, 3]\n", '"model"\n', "42\n", "null\n"])
def test_json_that_is_not_an_object(tmp_path: Path, content: str) -> None:
    target = tmp_path / "p.json"
    target.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput, match=re.escape(str(target))):
        load_params(target)


def test_file_that_is_not_text(tmp_path: Path) -> None:
    target = tmp_path / "p.json"
    target.write_bytes(b"\xff\xfe\x00binary\x80")
    with pytest.raises(InvalidInput, match=re.escape(str(target))):
        load_params(target)


def test_missing_file_names_it(tmp_path: Path) -> None:
    target = tmp_path / "nowhere.json"
    with pytest.raises(InvalidInput, match=re.escape(str(target))):
        load_params(target)


@pytest.mark.parametrize("key", ["elo", "goals", "inplay"])
def test_missing_block(params: ModelParams, key: str) -> None:
    data = params.to_dict()
    del data[key]
    with pytest.raises(InvalidInput, match=f"parameter file: .*{key}"):
        ModelParams.from_dict(data)


def test_missing_minute_rates(params: ModelParams, tmp_path: Path) -> None:
    data = params.to_dict()
    del data["inplay"]["minute_rates"]
    target = write(tmp_path / "p.json", data)
    with pytest.raises(InvalidInput, match="minute_rates") as info:
        load_params(target)
    assert str(info.value).startswith(f"{target}: ")


@pytest.mark.parametrize(
    ("block", "key", "value"),
    [
        ("goals", "slope", 1.0),  # an unknown name
        ("elo", "k_cup", 10.0),
        ("inplay", "red_card", 0.5),
    ],
)
def test_unknown_key(params: ModelParams, block: str, key: str, value: float) -> None:
    data = params.to_dict()
    data[block][key] = value
    with pytest.raises(InvalidInput, match=key):
        ModelParams.from_dict(data)


@pytest.mark.parametrize("block", ["elo", "goals", "inplay"])
def test_block_of_the_wrong_type(params: ModelParams, block: str) -> None:
    data = params.to_dict()
    data[block] = [1.0, 2.0]
    with pytest.raises(InvalidInput, match="parameter file"):
        ModelParams.from_dict(data)


@pytest.mark.parametrize("count", [0, 1, 10, 12])
def test_wrong_number_of_minute_rates_in_a_file(params: ModelParams, count: int) -> None:
    data = params.to_dict()
    data["inplay"]["minute_rates"] = [1.0] * count
    with pytest.raises(InvalidInput, match="minute_rates needs 11 values"):
        ModelParams.from_dict(data)


def test_save_into_a_missing_folder(params: ModelParams, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "p.json"
    with pytest.raises(InvalidInput, match=re.escape(str(target))):
        save_params(params, target)
    assert not target.exists()


# --------------------------------------------------------------------------- InPlayParams


@pytest.mark.parametrize("count", [0, 9, 10, 12, 20])
def test_inplay_params_reject_a_wrong_number_of_rates(count: int) -> None:
    with pytest.raises(ValueError, match=f"minute_rates needs {len(TIME_BINS)} values"):
        InPlayParams(minute_rates=(1.0,) * count)


def test_inplay_params_store_rates_as_float_tuple() -> None:
    rates = InPlayParams(minute_rates=[1] * len(TIME_BINS)).minute_rates
    assert rates == (1.0,) * len(TIME_BINS)
    assert isinstance(rates, tuple) and all(isinstance(r, float) for r in rates)


# --------------------------------------------------------------------------- the packaged file


def test_packaged_file_loads() -> None:
    assert packaged_path().is_file()
    packaged = load_params()
    assert packaged == load_params(packaged_path())
    assert packaged.version == PARAMS_VERSION
    assert len(packaged.inplay.minute_rates) == len(TIME_BINS) == 11
    assert packaged.inplay.rho == packaged.strengths.rho
    assert packaged.to_json() == packaged_path().read_text(encoding="utf-8")


def test_packaged_file_is_plausible() -> None:
    packaged = load_params()
    assert packaged.fitted["train_end"] == "2019-07-01"
    assert all(r > 0 for r in packaged.inplay.minute_rates)
    assert -0.5 <= packaged.goals.rho <= 0.5
    assert -0.5 <= packaged.strengths.rho <= 0.5
    assert packaged.goals.rating_slope > 0
    assert packaged.inplay.red_card_own < 1 < packaged.inplay.red_card_opponent
    assert packaged.inplay.stoppage_second_half > packaged.inplay.stoppage_first_half > 0
    assert 0 <= packaged.inplay.shootout_home <= 1
