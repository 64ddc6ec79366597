"""The built-in truth: weekly tokens per person and the merged-PR rate they produce.

For person i in week t (employed; D_it = 1 from their first AI week on):

    ln T_it = ln I_i + d_it                                   weekly tokens around a typical level I_i
    ln lambda_it = ln b_i + lift * D_it + elasticity * D_it * d_it       (d_it = ln T_it - ln I_i)
    merged PRs_it ~ Poisson(lambda_it)

d_it is an AR(1) weekly wobble (sd 0.5) minus a ramp in the first weeks of use, so tokens vary
within a person and output follows with the true elasticity. ln I_i and ln b_i are normal with
correlation `selection` over people (role effects included: managers and directors use less and
ship less).

Tokenmaxxers are ordinary people, already using AI before the period, whose tokens jump 3-10x for
an episode of several weeks with their output flat: something (an agent, a loop) burns a steady
(m_i - 1) x I_i more tokens a week on top of their ordinary use, T_it = I_i (e^d_it + (m_i - 1) e^u_it)
with u_it ~ N(0, BURN_LOG_SD^2), while ln lambda_it follows d_it as before. The episode starts after a few
weeks of ordinary use, so the data hold the history the jump is measured against.

Two spreads are solved rather than fixed, so any seed and size shows the intended picture with the
efficiency curve's own definitions (docs/metrics.md: means over weeks in scope, ntile deciles):
the sd of ln I_i puts the top decile's median mean weekly tokens at `top_decile_token_multiple`
times the median, and the sd of ln b_i (within 0.5..1) puts their expected output at about twice the median.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtri

from pipelines.demo.org import DIRECTOR, ENGINEER, MANAGER

if TYPE_CHECKING:
    from pipelines.demo import DemoTruth

MEDIAN_WEEKLY_TOKENS = 3_000_000  # typical engineer, all token kinds (mostly cache reads)
MEDIAN_MERGED_PRS_PER_WEEK = 1.7  # typical engineer before AI (the mean is higher: output is skewed)
TOP_DECILE_OUTPUT_MULTIPLE = 2.0  # diminishing returns: ~10x the tokens for ~2x the output
OUTPUT_LOG_SD_RANGE = (0.5, 1.0)  # keeps baselines plausible when a small org's top decile is noisy
WEEKLY_LOG_SD = 0.5
WEEKLY_AUTOCORRELATION = 0.5
RAMP_UP = (0.8, 0.4, 0.2)  # ln tokens below typical in the first, second, third week of use
TOKENMAXXING_MULTIPLE = (3.0, 10.0)  # a tokenmaxxer's tokens jump by m ~ log-uniform on this range
EPISODE_START = 6  # earliest week of an episode (weeks of ordinary use come first)
EPISODE_MIN_WEEKS = 4
BURN_LOG_SD = 0.15  # an agent's weekly burn is steadier than a person's own use
ROLE_LOG_INTENSITY = {ENGINEER: 0.0, MANAGER: -0.9, DIRECTOR: -1.6}
ROLE_LOG_OUTPUT = {ENGINEER: 0.0, MANAGER: -1.2, DIRECTOR: -2.3}


@dataclass(frozen=True)
class Behaviour:
    weekly_tokens: np.ndarray  # (people, weeks): all token kinds; 0 in weeks without AI use
    merged_pr_rate: np.ndarray  # (people, weeks): lambda_it; 0 in weeks not employed
    typical_tokens: np.ndarray  # I_i
    log_base_output: np.ndarray  # ln b_i
    maxxing: np.ndarray  # (people, weeks) bool: the planted tokenmaxxing weeks (tokens up, output flat)


def tokenmaxxing_burn(
    tokenmaxxer: np.ndarray, active: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """((m_i - 1) e^u_it in episode weeks else 0, the episode weeks) for every person: one episode per tokenmaxxer,
    from a week in [EPISODE_START, weeks - EPISODE_MIN_WEEKS] for at least EPISODE_MIN_WEEKS weeks
    (to the end of the period or earlier), in weeks they use AI."""
    people, weeks = active.shape
    earliest = min(EPISODE_START, weeks // 2)
    latest = max(earliest, weeks - EPISODE_MIN_WEEKS)
    start = rng.integers(earliest, latest + 1, people)
    length = EPISODE_MIN_WEEKS + rng.integers(0, np.maximum(weeks - start - EPISODE_MIN_WEEKS, 0) + 1)
    week = np.arange(weeks)[None, :]
    episode = tokenmaxxer[:, None] & (week >= start[:, None]) & (week < (start + length)[:, None]) & active
    low, high = np.log(TOKENMAXXING_MULTIPLE)
    burn = (np.exp(rng.uniform(low, high, people)) - 1)[:, None] * np.exp(
        rng.normal(0, BURN_LOG_SD, (people, weeks))
    )
    return np.where(episode, burn, 0.0), episode


def stratified_normal_scores(size: int, rng: np.random.Generator) -> np.ndarray:
    """Standard normal scores with one draw per quantile stratum, so small orgs keep the shape."""
    return ndtri((rng.permutation(size) + rng.random(size)) / size)


def weekly_log_deviation(
    active: np.ndarray, first_active_week: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """d_it: AR(1) noise around the typical level, minus the ramp-up of the first weeks of use."""
    people, weeks = active.shape
    shocks = rng.standard_normal((people, weeks))
    deviation = np.empty((people, weeks))
    deviation[:, 0] = shocks[:, 0]
    innovation_sd = np.sqrt(1 - WEEKLY_AUTOCORRELATION**2)
    for week in range(1, weeks):
        deviation[:, week] = WEEKLY_AUTOCORRELATION * deviation[:, week - 1] + innovation_sd * shocks[:, week]
    deviation *= WEEKLY_LOG_SD
    weeks_in_use = np.arange(weeks)[None, :] - first_active_week[:, None]
    for week_of_use, shortfall in enumerate(RAMP_UP):
        deviation[weeks_in_use == week_of_use] -= shortfall
    return np.where(active, deviation, 0.0)


def top_decile(mean_weekly_tokens: np.ndarray) -> np.ndarray:
    """Indexes of the top decile as SQL ntile(10) cuts it: the highest len // 10 people."""
    return np.argsort(mean_weekly_tokens, kind="stable")[-max(len(mean_weekly_tokens) // 10, 1) :]


def top_decile_multiple(values: np.ndarray, top: np.ndarray) -> float:
    return float(np.median(values[top]) / np.median(values))


def bisect(increasing: Callable[[float], float], target: float, low: float, high: float) -> float:
    """The x in [low, high] where an increasing function reaches `target` (an end if it never does)."""
    for _ in range(50):
        middle = (low + high) / 2
        low, high = (middle, high) if increasing(middle) < target else (low, middle)
    return (low + high) / 2


def latent_correlation(
    target: float, spreads: tuple[float, float], shifts: tuple[np.ndarray, np.ndarray]
) -> float:
    """Correlation of the latent scores that gives `target` once role shifts are added to both."""
    (sd_x, sd_y), (shift_x, shift_y) = spreads, shifts
    total_sd = np.sqrt((sd_x**2 + shift_x.var()) * (sd_y**2 + shift_y.var()))
    shift_cov = float(np.mean((shift_x - shift_x.mean()) * (shift_y - shift_y.mean())))
    return float(np.clip((target * total_sd - shift_cov) / (sd_x * sd_y), -0.99, 0.99))


def plan_behaviour(
    role: np.ndarray,
    employed: np.ndarray,
    start_week: np.ndarray,
    first_ai_week: np.ndarray,
    tokenmaxxer: np.ndarray,
    in_org: np.ndarray,
    truth: DemoTruth,
    rng: np.random.Generator,
) -> Behaviour:
    """`start_week` is the week a person joined (negative for people employed before the period);
    `in_org` marks people whose figures the truth is stated over (everyone but the contractor).
    """
    people, weeks = employed.shape
    first_active_week = np.maximum(first_ai_week, start_week)  # joiners start using AI when they join
    active = employed & (np.arange(weeks)[None, :] >= first_ai_week[:, None])
    deviation = weekly_log_deviation(active, first_active_week, rng)
    burn, maxxing = tokenmaxxing_burn(tokenmaxxer, active, rng)
    weeks_in_scope = np.maximum(employed.sum(axis=1), 1)
    users = np.flatnonzero(in_org & active.any(axis=1))

    intensity_shift = np.vectorize(ROLE_LOG_INTENSITY.get)(role).astype(float)
    output_shift = np.vectorize(ROLE_LOG_OUTPUT.get)(role).astype(float)
    intensity_scores = stratified_normal_scores(people, rng)
    output_noise = rng.standard_normal(people)

    # Mean weekly tokens over weeks in scope (weeks without use count as zero) is I_i * wobble_i.
    wobble = np.where(active, np.exp(deviation) + burn, 0.0).sum(axis=1)[users] / weeks_in_scope[users]

    def log_intensity(spread: float) -> np.ndarray:
        return spread * intensity_scores + intensity_shift

    def token_multiple(spread: float) -> float:
        mean_tokens = np.exp(log_intensity(spread)[users]) * wobble
        return top_decile_multiple(mean_tokens, top_decile(mean_tokens))

    intensity_spread = bisect(token_multiple, truth.top_decile_token_multiple, 0.05, 4.0)
    typical_tokens = MEDIAN_WEEKLY_TOKENS * np.exp(log_intensity(intensity_spread))
    heaviest = top_decile(typical_tokens[users] * wobble)

    ordinary = in_org & ~tokenmaxxer
    token_effect = truth.elasticity_within * deviation  # never the burn: a tokenmaxxer's output stays flat
    log_rate_change = np.where(active, truth.adoption_lift + token_effect, 0.0)  # on top of ln b_i

    def log_base_output(spread: float) -> np.ndarray:
        shifts = (intensity_shift[ordinary], output_shift[ordinary])
        rho = latent_correlation(truth.selection, (intensity_spread, spread), shifts)
        scores = rho * intensity_scores + np.sqrt(1 - rho**2) * output_noise
        return np.log(MEDIAN_MERGED_PRS_PER_WEEK) + spread * scores + output_shift

    def output_multiple(spread: float) -> float:
        rate = np.exp(log_base_output(spread)[users, None] + log_rate_change[users])
        mean_output = np.where(employed[users], rate, 0.0).sum(axis=1) / weeks_in_scope[users]
        return top_decile_multiple(mean_output, heaviest)

    base = log_base_output(bisect(output_multiple, TOP_DECILE_OUTPUT_MULTIPLE, *OUTPUT_LOG_SD_RANGE))
    return Behaviour(
        weekly_tokens=np.where(active, typical_tokens[:, None] * (np.exp(deviation) + burn), 0.0),
        merged_pr_rate=np.where(employed, np.exp(base[:, None] + log_rate_change), 0.0),
        typical_tokens=typical_tokens,
        log_base_output=base,
        maxxing=maxxing,
    )
