"""The AI tools the demo organization uses, the models each one calls, and their list prices.

Every model comes from `pipelines/prices.csv`, except one deliberately unpriced in-house model
served through the LiteLLM gateway, so that unpriced tokens show up as they would in real data.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PRICES_CSV = Path(__file__).resolve().parents[1] / "prices.csv"
UNPRICED_MODEL = "llama-3.3-70b-internal"
TOKEN_KINDS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")


@dataclass(frozen=True)
class Tool:
    name: str
    models: tuple[str, ...]
    model_weights: tuple[float, ...]
    token_mix: tuple[float, float, float, float]  # average share of input, output, cache read, cache write
    tokens_per_request: float  # relative to TYPICAL_TOKENS_PER_REQUEST
    adoption_weight: float  # how often it is a person's main tool; 0 for tools never used alone


CLAUDE_CODE = Tool(
    "claude-code",
    ("claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5"),
    (0.70, 0.10, 0.20),
    (0.04, 0.03, 0.88, 0.05),
    1.0,
    0.45,
)
CURSOR = Tool(
    "cursor",
    ("claude-sonnet-4-5", "gpt-5", "gemini-2.5-pro", "claude-opus-4-1", "gpt-5-mini"),
    (0.50, 0.25, 0.10, 0.05, 0.10),
    (0.25, 0.07, 0.64, 0.04),
    0.8,
    0.30,
)
OPENAI_API = Tool(
    "openai-api",
    ("gpt-5", "gpt-5-mini", "gpt-4.1", "gpt-4o-mini", "o3", "o4-mini"),
    (0.30, 0.25, 0.15, 0.15, 0.05, 0.10),
    (0.62, 0.10, 0.28, 0.0),
    0.5,
    0.10,
)
LITELLM = Tool(
    "litellm",
    ("claude-sonnet-4-5", "gpt-4.1-mini", "gemini-2.5-flash", UNPRICED_MODEL),
    (0.40, 0.20, 0.20, 0.20),
    (0.72, 0.15, 0.13, 0.0),
    0.5,
    0.15,
)
COPILOT = Tool("copilot", ("gpt-4.1", "claude-sonnet-4", "gpt-4o"), (0.60, 0.25, 0.15), (0, 0, 0, 0), 0, 0)

TOOLS: tuple[Tool, ...] = (CLAUDE_CODE, CURSOR, OPENAI_API, LITELLM, COPILOT)
TOOL_NAMES = tuple(tool.name for tool in TOOLS)
CLAUDE_CODE_ID, CURSOR_ID, OPENAI_API_ID, LITELLM_ID, COPILOT_ID = range(len(TOOLS))
TOKEN_TOOL_IDS = (CLAUDE_CODE_ID, CURSOR_ID, OPENAI_API_ID, LITELLM_ID)  # tools that report tokens
MODEL_NAMES: tuple[str, ...] = tuple(sorted({model for tool in TOOLS for model in tool.models}))
TYPICAL_TOKENS_PER_REQUEST = 60_000  # for a median user; heavier users send longer contexts


def load_prices(path: Path = PRICES_CSV) -> dict[str, tuple[float, float, float, float]]:
    """USD per million tokens for input, output, cache read and cache write, by model."""
    with path.open(newline="") as file:
        return {
            row["model"]: (
                float(row["input_usd_per_mtok"]),
                float(row["output_usd_per_mtok"]),
                float(row["cache_read_usd_per_mtok"]),
                float(row["cache_write_usd_per_mtok"]),
            )
            for row in csv.DictReader(file)
        }


def price_matrix() -> np.ndarray:
    """(models, 4) USD per million tokens, aligned with MODEL_NAMES; NaN for the unpriced model.

    Fails at once when a tool names a model the price table does not know (other than the
    deliberately unpriced one), so a typo can never silently create unpriced tokens.
    """
    prices = load_prices()
    unknown = [model for model in MODEL_NAMES if model not in prices and model != UNPRICED_MODEL]
    if unknown:
        raise ValueError(f"models missing from {PRICES_CSV}: {unknown}")
    return np.array([prices.get(model, (np.nan,) * 4) for model in MODEL_NAMES], dtype=np.float64)


def model_choice_table(tool: Tool) -> tuple[np.ndarray, np.ndarray]:
    """(model ids into MODEL_NAMES, cumulative weights) for drawing a tool's model per request."""
    ids = np.array([MODEL_NAMES.index(model) for model in tool.models])
    cumulative = np.cumsum(tool.model_weights) / sum(tool.model_weights)
    return ids, cumulative
