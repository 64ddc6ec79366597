"""What `tokenyield sync` remembers between runs: each source's last successful fetch.

One small JSON file beside the input folder (`data/input.sync-state.json`), rewritten through a
temp file and a rename after every source that succeeds, so a crash or a failed source never
loses the others' progress and the file is never half written. A source that failed keeps its
previous entry, so the next run retries it from its last success.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from pipelines.sources.sync_config import ConfigError

VERSION = 1


@dataclass(frozen=True)
class Success:
    """A source's last successful fetch: it covered `since` through `through` (UTC days)."""

    since: str
    through: str
    fingerprint: str  # SourceConfig.fingerprint when it ran
    finished_at: str  # UTC timestamp, for people reading the file

    @property
    def through_day(self) -> date:
        return date.fromisoformat(self.through)


def read(path: Path) -> dict[str, Success]:
    """Every source's last success; empty when the file does not exist yet."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise ConfigError(
            f"cannot read the sync state ({error}); delete it to fetch every source again", path=path
        ) from None
    try:
        return {name: Success(**entry) for name, entry in document["sources"].items()}
    except (KeyError, TypeError, AttributeError):
        raise ConfigError(
            'not a sync state file (expected {"sources": {NAME: {since, through, ...}}}); '
            "delete it to fetch every source again",
            path=path,
        ) from None


def write(path: Path, state: dict[str, Success]) -> None:
    """Replace the state file atomically."""
    document = {"version": VERSION, "sources": {name: asdict(s) for name, s in sorted(state.items())}}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(document, file, indent=2)
            file.write("\n")
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
