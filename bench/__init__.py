"""Benchmarks: `make bench`. Each bench/bench_*.py module has run() -> list[Result]."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class Result:
    """One measured row: a rate or a duration compared with a baseline from the same run."""

    name: str
    value: float
    unit: str
    baseline_name: str = ""
    baseline: float = 0.0
    # Ratio of value to baseline; `target` is the ratio the issue asks for, checked by `higher_is_better`.
    target: float | None = None
    higher_is_better: bool = True
    absolute_target: float | None = None

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None

    @property
    def ok(self) -> bool | None:
        checks = []
        if self.target is not None and self.ratio is not None:
            checks.append(self.ratio >= self.target if self.higher_is_better else self.ratio <= self.target)
        if self.absolute_target is not None:
            checks.append(
                self.value >= self.absolute_target if self.higher_is_better else self.value <= self.absolute_target
            )
        return all(checks) if checks else None

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio, "ok": self.ok}
