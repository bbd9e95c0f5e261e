"""Rank retrieved candidates for a vacancy and explain every score.

Two kinds of model, with honest explanations for each:

- **linear** — standardised logistic regression, optionally Platt-calibrated
  (`CalibratedClassifierCV(method="sigmoid")`; the calibration is a linear map
  of the log-odds, so the model stays linear). Each feature's contribution to
  the calibrated log-odds is exact: slope * coef * (x - mean) / scale.
- **gbm** (or any other classifier with `predict_proba`) — per feature, the
  change in the calibrated log-odds when that feature alone is set to its mean
  in the training data: logit p(x) - logit p(x with x_k := mean_k). All
  candidates times features are scored in one batched predict. Unlike the linear
  case the contributions need not add up to the score: they answer "how much
  did this feature move the score away from an average value of it".

The largest contributions become plain-English factors a coordinator can read.

A jobseeker with an empty profile (no skills, no occupations) gets no score at
all: they are left out of the ranking, not ranked last.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import msgspec
import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from kohtaanto.domain.instruments import (
    ESTIMATE_NOTE,
    InstrumentEstimate,
    best_saving,
    milestones,
    rules_in_force,
)
from kohtaanto.i18n import N_
from ml.facts import JobseekerFacts, VacancyFacts, digest
from ml.features import FEATURES, featurise

MAX_FACTORS = 5
MIN_FACTORS = 3
MINOR_CONTRIBUTION = 0.1  # log-odds; factors beyond the third below this are left out


EXACT = "exact contribution to the log-odds (linear model)"
PERTURBATION = "change in log-odds when the feature is set to its training mean"


class ModelShapeError(ValueError):
    """The stored model cannot be used or explained by this code."""


def _linear_parts(model: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, float] | None:
    """(mean, scale, coef, intercept) of the log-odds, if `model` is linear in the features.

    Accepts a StandardScaler + LogisticRegression pipeline, bare or inside a
    one-fold sigmoid `CalibratedClassifierCV` (calibrated log-odds = -(a * z + b)).
    """
    slope, shift = 1.0, 0.0
    if isinstance(model, CalibratedClassifierCV):
        if model.method != "sigmoid" or len(model.calibrated_classifiers_) != 1:
            return None
        calibrated = model.calibrated_classifiers_[0]
        calibrator = calibrated.calibrators[0]
        slope, shift = -float(calibrator.a_), -float(calibrator.b_)
        model = calibrated.estimator
    if isinstance(model, FrozenEstimator):
        model = model.estimator
    if not isinstance(model, Pipeline):
        return None
    steps = [s for _, s in model.steps]
    if (
        len(steps) != 2
        or not isinstance(steps[0], StandardScaler)
        or not isinstance(steps[1], LogisticRegression)
    ):
        return None
    scaler, lr = steps
    return (
        np.asarray(scaler.mean_, dtype=float),
        np.asarray(scaler.scale_, dtype=float),
        slope * np.asarray(lr.coef_[0], dtype=float),
        slope * float(lr.intercept_[0]) + shift,
    )


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


@dataclass(frozen=True, slots=True)
class RankedCandidate:
    jobseeker_id: str
    score: float  # probability of interview or hire, 0..1
    explanation: dict[str, Any]
    # The model's inputs for this pair, by feature name: stored with the shortlist
    # entry so its outcome later makes a point-in-time training row.
    features: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "jobseeker_id": self.jobseeker_id,
            "score": self.score,
            "explanation": self.explanation,
        }


class RankingModel:
    """A trained ranker with its version, ready to rank and explain."""

    def __init__(
        self,
        pipeline: Any,
        version: str,
        features: Sequence[str] = FEATURES,
        reference: Sequence[float] | None = None,
    ):
        if tuple(features) != FEATURES:
            raise ModelShapeError(
                f"model {version} was trained on other features: {list(features)}"
            )
        self.pipeline = pipeline
        self.version = version
        parts = _linear_parts(pipeline)
        if parts is not None:
            self.kind = "linear"
            self.method = EXACT
            self._mean, self._scale, self._coef, self._intercept = parts
        else:
            if not hasattr(pipeline, "predict_proba"):
                raise ModelShapeError(f"model {version} has no predict_proba")
            if reference is None or len(reference) != len(FEATURES):
                raise ModelShapeError(
                    f"model {version} is not linear: its explanations need the training "
                    "means of the features (reference.json)"
                )
            self.kind = "gbm"
            self.method = PERTURBATION
            self._reference = np.asarray(reference, dtype=float)

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Per-feature contributions to the log-odds, one row per candidate.

        Linear: exact (rows sum to logit - intercept). Otherwise: logit p(x) minus
        logit p(x with that feature at its training mean), in one batched predict.
        """
        return self._score(X)[1]

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """P(interview or hire) per row."""
        if self.kind == "linear":
            z = ((X - self._mean) / self._scale * self._coef).sum(axis=1) + self._intercept
            return 1.0 / (1.0 + np.exp(-z))
        return np.asarray(self.pipeline.predict_proba(X)[:, 1], dtype=float)

    def _score(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(probabilities, contributions) for feature rows."""
        if self.kind == "linear":
            contrib = (X - self._mean) / self._scale * self._coef
            z = contrib.sum(axis=1) + self._intercept
            return 1.0 / (1.0 + np.exp(-z)), contrib
        n, d = X.shape
        if n == 0:
            return np.zeros(0), np.zeros((0, d))
        moved = np.repeat(X[np.newaxis], d, axis=0)  # d blocks of n rows
        for k in range(d):
            moved[k, :, k] = self._reference[k]
        # One thread: on a busy machine OpenMP's spinning threads make a short
        # predict several times slower and its tail unpredictable.
        with threadpool_limits(limits=1, user_api="openmp"):
            proba = self.pipeline.predict_proba(np.vstack([X, moved.reshape(d * n, d)]))
        p = np.asarray(proba[:, 1], dtype=float)
        z = _logit(p)
        contrib = z[:n, np.newaxis] - z[n:].reshape(d, n).T
        return p[:n], contrib

    def score(
        self,
        vacancy: VacancyFacts,
        candidates: Sequence[tuple[JobseekerFacts, float]],
        *,
        today: date,
    ) -> Scored:
        """Featurise and score candidates (jobseeker, search score), best first; each is
        explained only when asked (``Scored.explain``).

        Empty profiles are excluded: they get no score at all.
        """
        kept = [(j, s) for j, s in candidates if not j.is_empty]
        if not kept:
            nothing = np.zeros((0, len(FEATURES)))
            return Scored(vacancy, self.version, self.method, [], [], nothing, nothing, [], [])
        js = [j for j, _ in kept]
        X, dist, estimates = featurise(vacancy, js, [s for _, s in kept], today)
        proba, contrib = self._score(X)
        scores = [round(p, 4) for p in proba.tolist()]
        best = sorted(range(len(js)), key=lambda k: (-scores[k], js[k].id))
        return Scored(
            vacancy,
            self.version,
            self.method,
            [js[k] for k in best],
            [scores[k] for k in best],
            X[best],
            contrib[best],
            dist[best].tolist(),
            [estimates[k] for k in best],
        )

    def fingerprint(
        self,
        vacancy: VacancyFacts,
        candidates: Sequence[tuple[JobseekerFacts, float]],
        *,
        today: date,
        also: Sequence[str | int | float] = (),
        memo: dict[str, bytes] | None = None,
    ) -> str:
        """A digest of all that ``score`` reads for this vacancy on ``today``: the model's
        version, the vacancy's facts, each candidate's facts and search score, the
        instrument rules in force and where the date puts each candidate against their
        thresholds; and of ``also`` (what the caller does with the scores). The same
        fingerprint means the same ranking, so one made on an earlier day still holds.

        ``memo`` keeps each candidate's own part between calls for the same ``today``
        (a batch of vacancies shares many candidates).
        """
        memo = {} if memo is None else memo
        h = hashlib.blake2b(digest_size=16)
        h.update(msgspec.json.encode([self.version, *also]))
        h.update(digest(vacancy))
        h.update(" ".join(r.id for r in rules_in_force(today)).encode())
        for j, search_score in sorted(candidates, key=lambda c: c[0].id):
            own = memo.get(j.id)
            if own is None:
                reached = milestones(j.person_facts(), today)
                own = memo[j.id] = digest(j) + msgspec.json.encode(reached)
            h.update(own)
            h.update(msgspec.json.encode(float(search_score)))
        return h.hexdigest()

    def rank(
        self,
        vacancy: VacancyFacts,
        candidates: Sequence[tuple[JobseekerFacts, float]],
        *,
        today: date,
    ) -> list[RankedCandidate]:
        """Score, explain and sort candidates (jobseeker, search score), best first.

        Empty profiles are excluded: they get no score at all.
        """
        return self.score(vacancy, candidates, today=today).ranked()


class Scored:
    """One vacancy's candidates scored, best first (score, then jobseeker id).

    Explaining is done per candidate and on demand: a shortlist keeps the top few of
    the hundreds retrieved, and explaining them all costs about as much as scoring them.
    """

    def __init__(
        self,
        vacancy: VacancyFacts,
        version: str,
        method: str,
        jobseekers: list[JobseekerFacts],
        scores: list[float],
        X: np.ndarray,
        contrib: np.ndarray,
        distances_km: list[float],
        estimates: list[list[InstrumentEstimate]],
    ) -> None:
        self.vacancy = vacancy
        self.version = version
        self.method = method
        self.jobseekers = jobseekers
        self.scores = scores  # probability of interview or hire, rounded as stored
        self._X = X
        self._contrib = contrib
        self._distances = distances_km
        self._estimates = estimates
        self._explainer: _Explainer | None = None

    def __len__(self) -> int:
        return len(self.jobseekers)

    def features(self, k: int) -> dict[str, float]:
        """The model's inputs for the ``k``-th best candidate, by feature name."""
        return dict(zip(FEATURES, self._X[k].tolist(), strict=True))

    def explain(self, k: int) -> dict[str, Any]:
        """Why the ``k``-th best candidate scored as they did (JSON, read-only)."""
        if self._explainer is None:
            self._explainer = _Explainer(self.vacancy, self.version, self.method)
        contrib = self._contrib[k]
        order = np.argsort(-np.abs(contrib))[:MAX_FACTORS].tolist()
        return self._explainer(
            self.jobseekers[k],
            self._X[k].tolist(),
            contrib.tolist(),
            order,
            self._distances[k],
            self._estimates[k],
        )

    def ranked(self) -> list[RankedCandidate]:
        """Every candidate, explained."""
        return [
            RankedCandidate(
                jobseeker_id=j.id, score=s, explanation=self.explain(k), features=self.features(k)
            )
            for k, (j, s) in enumerate(zip(self.jobseekers, self.scores, strict=True))
        ]


class _Explainer:
    """Builds explanation dicts for one vacancy; vacancy-side work is done once.

    Skill and instrument dicts are shared between candidates' explanations:
    treat explanations as read-only JSON.
    """

    def __init__(self, v: VacancyFacts, version: str, method: str = EXACT) -> None:
        self.v = v
        self.version = version
        self.method = method

        def label(uri: str) -> str:
            return v.skill_labels.get(uri, uri)

        # Essential skills in label order, each with its JSON dict, so each
        # candidate only filters this list.
        self.essential = [
            (u, {"uri": u, "label": label(u)}) for u in sorted(v.essential_skill_uris, key=label)
        ]
        self._instrument_dicts: dict[int, dict[str, Any]] = {}

    def _instrument(self, e: InstrumentEstimate) -> dict[str, Any]:
        # Estimates are shared between candidates (memoised per job): convert each
        # once and share the read-only dict, as the skill dicts are shared.
        cached = self._instrument_dicts.get(id(e))
        if cached is None:
            cached = self._instrument_dicts[id(e)] = e.to_dict()
        return cached

    def __call__(
        self,
        j: JobseekerFacts,
        x: list[float],
        contrib: list[float],
        order: list[int],
        distance_km: float,
        estimates: list[InstrumentEstimate],
    ) -> dict[str, Any]:
        v, have = self.v, j.skill_uris
        matched = [d for u, d in self.essential if u in have]
        missing = [d for u, d in self.essential if u not in have]
        saving = best_saving(estimates)
        limit = float(j.max_travel_km)
        within = distance_km <= max(limit, 1.0)
        ctx = _Context(
            matched=len(matched),
            essential=len(self.essential),
            optional_matched=len(v.optional_skill_uris & have),
            optional=len(v.optional_skill_uris),
            distance_km=distance_km,
            limit_km=limit,
            within=within,
            languages_missing=sorted(v.languages - j.languages),
            saving=saving,
            hours=v.hours_per_week,
            education=j.education,
            isco=v.isco_code,
        )
        factors = []
        for rank, k in enumerate(order):
            c = contrib[k]
            if rank >= MIN_FACTORS and abs(c) < MINOR_CONTRIBUTION:
                break
            text, params = _factor_label(FEATURES[k], x[k], ctx)
            factors.append(
                {
                    "feature": FEATURES[k],
                    "label": _english(text, params),
                    # Said in the reader's language where shown (domain.explanations).
                    "text": text,
                    "params": params,
                    "direction": "+" if c >= 0 else "-",
                    "weight": round(abs(c), 3),
                }
            )
        return {
            "matched_essential": matched,
            "missing_essential": missing,
            "matched_optional": ctx.optional_matched,
            "optional_total": ctx.optional,
            "essential_coverage": round(x[0], 3),
            "distance_km": round(distance_km, 1),
            "travel_limit_km": limit,
            "within_travel_limit": within,
            "languages_missing": ctx.languages_missing,
            "instruments": [self._instrument(e) for e in estimates],
            "best_saving_eur": saving,
            "top_factors": factors,
            "factors_method": self.method,
            "estimate_note": ESTIMATE_NOTE,
            "model_version": self.version,
        }


@dataclass(frozen=True, slots=True)
class _Context:
    matched: int
    essential: int
    optional_matched: int
    optional: int
    distance_km: float
    limit_km: float
    within: bool
    languages_missing: list[str]
    saving: float
    hours: float
    education: str
    isco: str


def _factor_label(feature: str, value: float, c: _Context) -> tuple[str, dict[str, Any]]:
    """A sentence a coordinator understands, for one feature of one candidate: an
    English msgid (``N_``) and its params, said in the reader's language where shown
    (``kohtaanto.domain.explanations``)."""
    yes = value >= 0.5
    match feature:
        case "essential_coverage":
            return N_("Has %(n)s of %(total)s essential skills"), {
                "n": c.matched,
                "total": c.essential,
            }
        case "optional_coverage":
            return N_("Has %(n)s of %(total)s optional skills"), {
                "n": c.optional_matched,
                "total": c.optional,
            }
        case "occupation_match":
            return (
                N_("Has this occupation in their profile")
                if yes
                else N_("Occupation not in their profile")
            ), {}
        case "isco4_match":
            return (
                N_("Works in the same occupation group (ISCO %(isco)s)")
                if yes
                else N_("Not in occupation group ISCO %(isco)s")
            ), {"isco": c.isco[:4]}
        case "isco2_match":
            return (N_("Works in a related field") if yes else N_("Works in another field")), {}
        case "distance_ratio" | "within_travel_limit":
            return (
                N_("Lives %(km)s km away, within their %(limit)s km travel limit")
                if c.within
                else N_("Lives %(km)s km away, beyond their %(limit)s km travel limit")
            ), {"km": round(c.distance_km), "limit": round(c.limit_km)}
        case "language_fit":
            if not c.languages_missing:
                return N_("Speaks the required languages"), {}
            return N_("Missing language: %(languages)s"), {"languages": c.languages_missing}
        case "education_rank":
            return N_("Education: %(education)s"), {"education": c.education}
        case "hours_fit":
            return (
                N_("%(hours)s h/week suits them")
                if value >= 1
                else N_("%(hours)s h/week is outside their preferred hours")
            ), {"hours": c.hours}
        case "search_score":
            return (
                N_("Profile text matches the vacancy well")
                if yes
                else N_("Weak text match with the vacancy")
            ), {}
        case "wage_subsidy_match":
            return (
                N_("Likely eligible for a wage subsidy the employer accepts (estimate)")
                if yes
                else N_("No wage subsidy match")
            ), {}
        case "work_trial_match":
            return (
                N_("Could start with a work trial (estimate)") if yes else N_("No work trial match")
            ), {}
        case "apprenticeship_match":
            return (
                N_("Could be hired as an apprentice (estimate)")
                if yes
                else N_("No apprenticeship match")
            ), {}
        case "specific_coverage":
            return (
                N_("Has the vacancy's most specific skills")
                if yes
                else N_("Lacks the vacancy's most specific skills")
            ), {}
        case "skill_jaccard":
            return (
                N_("Large skill overlap with the vacancy")
                if value >= 0.25
                else N_("Small skill overlap with the vacancy")
            ), {}
        case "bm25_overlap":
            return (
                N_("Shares specific skills with the vacancy")
                if yes
                else N_("Shares few specific skills with the vacancy")
            ), {}
        case "profile_explained":
            return (
                N_("Much of their profile is about this work")
                if value >= 0.3
                else N_("Little of their profile is about this work")
            ), {}
        case "similarity_coverage":
            return (
                N_("Their skills are close to the essential ones")
                if yes
                else N_("Their skills are far from the essential ones")
            ), {}
        case "similarity_profile":
            return (
                N_("Their experience is close to this work")
                if yes
                else N_("Their experience is mostly in other work")
            ), {}
        case "isco1_match":
            return (
                N_("Works in the same major occupation group")
                if yes
                else N_("Works in another major occupation group")
            ), {}
        case "isco3_match":
            return (
                N_("Works in the same minor occupation group")
                if yes
                else N_("Works in another minor occupation group")
            ), {}
        case "saving_share":
            if c.saving <= 0:
                return N_("No estimated subsidy for the employer"), {}
            return N_("Employer could save about %(eur)s € (estimate)"), {"eur": round(c.saving)}
    return feature.replace("_", " "), {}


def _english(text: str, params: dict[str, Any]) -> str:
    """The factor in English, as the API has always carried it (``label``)."""
    shown = {
        k: ", ".join(map(str, v))
        if isinstance(v, list)
        else (f"{v:g}" if isinstance(v, float) else str(v).replace("_", " "))
        for k, v in params.items()
    }
    return text % shown if params else text
