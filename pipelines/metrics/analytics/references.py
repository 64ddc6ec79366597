"""Published reference points leaders will quote, in one place for the Methods page and the report.

Figures exactly as the issue states them; `ours` names the tokenyield estimate to put beside each.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    source: str
    design: str
    finding: str
    ours: str  # which of our figures it compares with
    caveat: str


REFERENCES: tuple[Reference, ...] = (
    Reference(
        "Jellyfish 2026",
        "cross-sectional comparison of engineers by AI token spend",
        "10× the tokens for 2× the output; cost per PR varies about 300× across spend levels",
        "top-decile token and output multiples (honest cohorts); cost per merged PR per decile",
        "compares different people, like our cohorts: selection is in it",
    ),
    Reference(
        "Microsoft 2026",
        "fixed-effects study of 16k engineers",
        "+21%, +39% and +41% PRs at low, moderate and high use",
        "within-person elasticity; adoption event study",
        "within-person, like ours; its use levels are not our deciles",
    ),
    Reference(
        "Cui et al. 2026",
        "field experiments",
        "+26% completed tasks",
        "adoption event study (average effect after adoption, %)",
        "randomized access to an assistant, not observed adoption",
    ),
    Reference(
        "METR 2025",
        "randomized trial",
        "19% slower",
        "adoption event study (average effect after adoption, %)",
        "experienced developers on their own repositories; time per task, not PRs per week",
    ),
    Reference(
        "DORA 2024",
        "survey of software delivery teams",
        "−1.5% throughput per +25% adoption",
        "adoption event study; weekly active rate",
        "team-level association from a survey",
    ),
)
