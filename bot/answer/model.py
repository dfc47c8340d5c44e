"""The fitted answer model: a ranker that scores candidate sentences, a verifier that turns the best one's
standing into the probability that it answers, and the threshold below which Yalu abstains.

Both are logistic regressions over standardised features, fitted by `bot.answer.fit` (run by
`python -m bot.train`) on the team's own question sets (never on the dev set) and shipped as
`model.json` beside this file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


def sigmoid(z: FloatArray) -> FloatArray:
    """The logistic function, safe for large magnitudes."""
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64))), dtype=np.float64)


def softmax(scores: FloatArray) -> FloatArray:
    """Scores turned into shares of one (the ranker's belief over one question's candidates)."""
    if not len(scores):
        return np.zeros(0)
    e = np.exp(scores - scores.max())
    return np.asarray(e / e.sum(), dtype=np.float64)


@dataclass(frozen=True)
class Logistic:
    """A logistic regression over named, standardised features."""

    names: tuple[str, ...]
    mean: FloatArray
    scale: FloatArray
    coef: FloatArray
    bias: float

    def logits(self, x: FloatArray) -> FloatArray:
        """Log-odds for each row of `x` (columns in `names` order)."""
        z = (np.atleast_2d(x) - self.mean) / self.scale
        return np.asarray(z @ self.coef + self.bias, dtype=np.float64)

    def proba(self, x: FloatArray) -> FloatArray:
        """Probability of the positive class for each row of `x`."""
        return sigmoid(self.logits(x))

    @classmethod
    def fit(
        cls, x: FloatArray, y: FloatArray, names: tuple[str, ...], l2: float = 1.0, weight: FloatArray | None = None
    ) -> Logistic:
        """Fit by Newton's method with an L2 penalty on the standardised coefficients (not the bias)."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        w = np.ones(len(y)) if weight is None else np.asarray(weight, dtype=np.float64)
        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[scale < 1e-9] = 1.0
        z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
        beta = np.zeros(z.shape[1])
        penalty = np.full(z.shape[1], l2)
        penalty[-1] = 0.0
        for _ in range(100):
            p = sigmoid(z @ beta)
            grad = z.T @ (w * (p - y)) + penalty * beta
            hess = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
            step = np.linalg.solve(hess, grad)
            beta -= step
            if np.abs(step).max() < 1e-8:
                break
        return cls(names, mean, scale, beta[:-1].copy(), float(beta[-1]))

    @classmethod
    def fit_listwise(
        cls, groups: list[tuple[FloatArray, np.ndarray]], names: tuple[str, ...], l2: float = 1.0
    ) -> Logistic:
        """Fit a linear scorer whose softmax over each group's rows puts the most mass on its positive rows
        (a conditional logit: which of this question's sentences answers it), by damped Newton steps."""
        stacked = np.vstack([x for x, _ in groups])
        mean = stacked.mean(axis=0)
        scale = stacked.std(axis=0)
        scale[scale < 1e-9] = 1.0
        zs = [((x - mean) / scale, pos.astype(bool)) for x, pos in groups if pos.any() and len(pos) > 1]
        beta = np.zeros(stacked.shape[1])

        def loss_grad_hess(b: FloatArray) -> tuple[float, FloatArray, FloatArray]:
            loss, grad, hess = 0.5 * l2 * float(b @ b), l2 * b, l2 * np.eye(len(b))
            for z, pos in zs:
                s = z @ b
                p = np.exp(s - s.max())
                p /= p.sum()
                # The positives' share, normalised among themselves in their own scale: when every positive
                # is far below the best candidate, p underflows to 0 there and p / p.sum() would be 0 / 0.
                r = np.zeros_like(p)
                r[pos] = np.exp(s[pos] - s[pos].max())
                r /= r.sum()
                loss -= float(np.log(max(float(p[pos].sum()), 1e-300)))
                mp, mr = p @ z, r @ z
                grad = grad + mp - mr
                hess = hess + (z * p[:, None]).T @ z - np.outer(mp, mp) - ((z * r[:, None]).T @ z - np.outer(mr, mr))
            return loss, grad, hess

        loss, grad, hess = loss_grad_hess(beta)
        for _ in range(60):
            try:
                step = np.linalg.solve(hess + 1e-6 * np.eye(len(beta)), grad)
            except np.linalg.LinAlgError:
                step = grad
            t = 1.0
            while t > 1e-4:
                trial = beta - t * step
                new_loss, new_grad, new_hess = loss_grad_hess(trial)
                if new_loss <= loss:
                    break
                t *= 0.5
            else:
                break
            beta, improved = trial, loss - new_loss
            loss, grad, hess = new_loss, new_grad, new_hess
            if improved < 1e-9:
                break
        return cls(names, mean, scale, beta, 0.0)

    def to_json(self) -> dict[str, Any]:
        """The model as plain JSON values."""
        return {
            "features": list(self.names),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
            "bias": self.bias,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], expected: tuple[str, ...]) -> Logistic:
        """A model read back; its features must be the ones the code computes, in order."""
        names = tuple(data["features"])
        if names != expected:
            raise ValueError(f"the answer model was fitted on other features: {names} != {expected}")

        def arr(key: str) -> FloatArray:
            return np.asarray(data[key], dtype=np.float64)

        return cls(names, arr("mean"), arr("scale"), arr("coef"), float(data["bias"]))


@dataclass(frozen=True)
class AnswerModel:
    """Ranker, verifier and the abstention threshold, with how they were fitted."""

    ranker: Logistic
    verifier: Logistic
    threshold: float  # answer when the verifier's probability is at least this
    keep: float = 0.5  # a further sentence is added when its ranker probability is this share of the best's
    about: dict[str, Any] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        """Write the model as JSON."""
        data = {
            "ranker": self.ranker.to_json(),
            "verifier": self.verifier.to_json(),
            "threshold": self.threshold,
            "keep": self.keep,
            "about": self.about,
        }
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AnswerModel:
        """A model from its JSON form, checked against the features the code computes."""
        from bot.answer.features import RANKER_FEATURES, VERIFIER_FEATURES

        return cls(
            Logistic.from_json(data["ranker"], RANKER_FEATURES),
            Logistic.from_json(data["verifier"], VERIFIER_FEATURES),
            float(data["threshold"]),
            float(data.get("keep", 0.5)),
            dict(data.get("about", {})),
        )

    @classmethod
    def bundled(cls) -> AnswerModel:
        """The model shipped with the package."""
        text = resources.files("bot.answer").joinpath("model.json").read_text(encoding="utf-8")
        return cls.from_json(json.loads(text))
