"""The targets of issue 11 (and the figures shown beside them), each met or not met."""

from __future__ import annotations

from dataclasses import dataclass

from .measure import MB
from .steps import Step


@dataclass(frozen=True)
class Verdict:
    """One ratio or figure, with its target and whether it is met."""

    what: str
    """What is compared."""
    value: float | None
    """The figure (None: a step it needs did not run)."""
    unit: str
    """``×``, ``s`` or ``MB``."""
    limit: float | None = None
    """The target (None: shown for information)."""
    strict: bool = False
    """The target is "below", not "at most"."""

    @property
    def shown(self) -> str:
        """The value as the tables show it."""
        if self.value is None:
            return "not measured"
        return f"{self.value:.0f} MB" if self.unit == "MB" else f"{self.value:.2f}{self.unit}"

    @property
    def target(self) -> str:
        """The target as the tables show it."""
        if self.limit is None:
            return "-"
        sign = "<" if self.strict else "≤"
        number = f"{self.limit:.0f} MB" if self.unit == "MB" else f"{self.limit:g}{self.unit}"
        return f"{sign} {number}"

    @property
    def verdict(self) -> str:
        """``met``, ``NOT met``, ``not measured`` or empty (no target)."""
        if self.limit is None:
            return ""
        if self.value is None:
            return "not measured"
        met = self.value < self.limit if self.strict else self.value <= self.limit
        return "met" if met else "NOT met"


def verdicts(steps: list[Step]) -> tuple[list[Verdict], list[Verdict]]:
    """(issue 11's targets, other figures) from the medians of ``steps``."""

    def step(workload: str, name: str) -> Step | None:
        return next((s for s in steps if s.workload == workload and s.name == name), None)

    def ratio(a: Step | None, b: Step | None, what: str = "seconds") -> float | None:
        if a is None or b is None or not b.median(what):
            return None
        return a.median(what) / b.median(what)

    def watched(name: str, typst: Step | None) -> float | None:
        watch = step("W50", name)
        save = watch.phase_median("median save to book s") if watch else None
        return save / typst.median() if save is not None and typst is not None else None

    naive, cold, typst = step("W50", "naive"), step("W50", "cold"), step("W50", "typst")
    both, both_edited = step("W50", "cold both"), step("W50", "edited both")
    big_cold = step("W500", "cold")

    def mb(s: Step | None) -> float | None:
        return s.median("peak_pss") / MB if s is not None else None

    no_layout, layout = step("W50", "validate --no-layout"), step("W50", "validate")
    big_validate = step("W500", "validate --no-layout")
    targets = [
        Verdict("W50 cold, print / naive (time)", ratio(cold, naive), "×", 0.75),
        Verdict("W50 cold, --edition both / naive print (time)", ratio(both, naive), "×", 1.5),
        Verdict("W50 one profile edited, --edition both / cold both (time)",
                ratio(both_edited, both), "×", 0.15),
        Verdict("W50 build --watch, save to print book / Typst whole book (time)",
                watched("watch", typst), "×", 1.0, strict=True),
        Verdict("W50 build --watch, save to both books / Typst whole book (time)",
                watched("watch both", typst), "×", 1.5),
        Verdict("W500 cold, peak PSS of all processes", mb(big_cold), "MB", 400),
        Verdict("W500 / W50 cold peak PSS", ratio(big_cold, cold, "peak_pss"), "×", 1.3),
        Verdict("W500 validate --no-layout (time)",
                big_validate.median() if big_validate else None, "s", 1.0, strict=True),
        Verdict("W50 validate with layout, warm cache / --no-layout (time)",
                ratio(layout, no_layout), "×", 2.0),
    ]  # fmt: skip
    edited, city = step("W50", "edited"), step("W50", "city")
    others = [
        Verdict("W50 cold, print / naive (time), stretch goal", ratio(cold, naive), "×", 0.5),
        Verdict("W50 cold, print / naive (CPU)", ratio(cold, naive, "cpu_seconds"), "×"),
        Verdict("W50 edited, print / cold print (time)", ratio(edited, cold), "×"),
        Verdict("W50 --city / cold (time)", ratio(city, cold), "×"),
        Verdict("W50 edited, print / Typst whole book (time)", ratio(edited, typst), "×"),
        Verdict("W50 book size / naive size",
                cold.size / naive.size if cold and naive and naive.size else None, "×", 1.25),
        Verdict("W50 cold, peak PSS of all processes", mb(cold), "MB"),
        Verdict("W500 cold / naive (time)", ratio(big_cold, step("W500", "naive")), "×"),
        Verdict("W500 edited / cold (time)", ratio(step("W500", "edited"), big_cold), "×"),
    ]  # fmt: skip
    return targets, [v for v in others if v.value is not None]
