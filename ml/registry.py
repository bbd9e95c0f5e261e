"""The model registry: one dated folder per trained model, and a CURRENT pointer.

    model_dir/
      CURRENT                      the folder name of the model in use
      20260315-021500/
        model.skops                the fitted pipeline (skops, never pickle)
        trusted_types.json         types skops does not trust by default, checked on load
        metrics.json  features.json  data.json  MODEL_CARD.md
        reference.json             training means of the features (to explain non-linear models)
        comparison.json            candidates and the model in use on the held-out period, and
                                   whether this version was promoted (stored either way)
        evaluations/               runs of `kohtaanto evaluate` against this version

Loading refuses any type outside `ALLOWED_TYPES`, so a tampered or foreign
model file cannot execute code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import skops.io as sio

from ml.card import write_card
from ml.features import FEATURES
from ml.predict import RankingModel

# Types beyond skops' defaults we accept in a model file, named one by one. The
# linear pipeline (StandardScaler + LogisticRegression) needs none; sigmoid
# calibration (CalibratedClassifierCV around a FrozenEstimator) needs the first two,
# HistGradientBoostingClassifier its tree predictor. Add names here deliberately.
ALLOWED_TYPES: frozenset[str] = frozenset(
    {
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    }
)

CURRENT = "CURRENT"
MODEL_FILE = "model.skops"


class NoModelError(LookupError):
    """There is no trained model to load."""


class UntrustedModelError(ValueError):
    """A model file contains types we do not allow."""


@dataclass(frozen=True, slots=True)
class ModelVersion:
    version: str
    path: Path
    metrics: dict[str, Any] = field(default_factory=dict)
    promoted: bool = False


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


def _new_folder(model_dir: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    folder, n = model_dir / stamp, 1
    while folder.exists():  # two models in the same second
        n += 1
        folder = model_dir / f"{stamp}-{n}"
    folder.mkdir(parents=True)
    return folder


def save_version(
    pipeline: Any,
    model_dir: Path,
    *,
    metrics: Mapping[str, Any],
    data: Mapping[str, Any],
    promote: bool = True,
    kind: str = "linear",
    reference: Sequence[float] | None = None,
    comparison: Mapping[str, Any] | None = None,
) -> ModelVersion:
    """Store a fitted model as a new dated version; point CURRENT at it if `promote`.

    `reference` (training means of the features) is needed to explain non-linear
    models; `comparison` records the promotion decision and is stored either way.
    """
    model_dir = Path(model_dir)
    folder = _new_folder(model_dir)
    path = folder / MODEL_FILE
    sio.dump(pipeline, path)
    untrusted = sorted(sio.get_untrusted_types(file=path))
    refused = [t for t in untrusted if t not in ALLOWED_TYPES]
    if refused:
        path.unlink()
        raise UntrustedModelError(f"model contains types outside the allow-list: {refused}")
    _write_json(folder / "trusted_types.json", untrusted)
    _write_json(folder / "metrics.json", {"kind": kind} | dict(metrics))
    _write_json(folder / "features.json", list(FEATURES))
    _write_json(folder / "data.json", dict(data))
    if reference is not None:
        _write_json(
            folder / "reference.json", dict(zip(FEATURES, map(float, reference), strict=True))
        )
    if comparison is not None:
        _write_json(folder / "comparison.json", dict(comparison) | {"promoted": promote})
    write_card(model_dir, folder.name)
    if promote:
        promote_version(model_dir, folder.name)
    return ModelVersion(folder.name, folder, dict(metrics), promote)


def promote_version(model_dir: Path, version: str) -> None:
    """Make `version` the model in use (atomic rename of the pointer file)."""
    model_dir = Path(model_dir)
    if not (model_dir / version / MODEL_FILE).is_file():
        raise NoModelError(f"no model {version} in {model_dir}")
    tmp = model_dir / f".{CURRENT}.tmp"
    tmp.write_text(version + "\n")
    tmp.replace(model_dir / CURRENT)


def current_version(model_dir: Path) -> str | None:
    """The folder name CURRENT points at, or None."""
    pointer = Path(model_dir) / CURRENT
    if not pointer.is_file():
        return None
    return pointer.read_text().strip() or None


def has_current(model_dir: Path) -> bool:
    """Whether a model is in use."""
    version = current_version(model_dir)
    return version is not None and (Path(model_dir) / version / MODEL_FILE).is_file()


def load_version(model_dir: Path, version: str) -> RankingModel:
    """Load one stored version, trusting only allow-listed types."""
    folder = Path(model_dir) / version
    path = folder / MODEL_FILE
    if not path.is_file():
        raise NoModelError(f"no model file {path}")
    trusted = json.loads((folder / "trusted_types.json").read_text())
    refused = [t for t in trusted if t not in ALLOWED_TYPES]
    if refused:
        raise UntrustedModelError(f"model {version} asks to trust disallowed types: {refused}")
    try:
        pipeline = sio.load(path, trusted=trusted)
    except sio.exceptions.UntrustedTypesFoundException as exc:
        raise UntrustedModelError(f"model {version} contains untrusted types: {exc}") from exc
    features = json.loads((folder / "features.json").read_text())
    reference = None
    if (folder / "reference.json").is_file():
        means = json.loads((folder / "reference.json").read_text())
        reference = [float(means[f]) for f in FEATURES]
    return RankingModel(pipeline, version, features, reference)


def load_current(model_dir: Path) -> RankingModel:
    """The model CURRENT points at. Raises `NoModelError` when none was trained."""
    version = current_version(model_dir)
    if version is None:
        raise NoModelError(
            f"no ranking model in {model_dir}: train one with `kohtaanto train` "
            "(or `python -m ml.train` on a synthetic population)"
        )
    return load_version(model_dir, version)
