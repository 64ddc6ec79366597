"""What `tokenyield sync` remembers between runs: each source's last successful fetch.

One small JSON file beside the input folder (`data/input.sync-state.json`), rewritten through a
temp file and a rename after every source that succeeds, so a crash or a failed source never
loses the others' progress and the file is never half written. A source that failed keeps its
previous entry, so the next run retries it from its last success.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from pipelines.sources.errors import SourceError
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


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold `<state file>.lock` for a whole sync: a second sync of the same input folder (a cron
    run that overlaps the previous one) stops at once instead of appending alongside it."""
    lock = path.with_name(f"{path.name}.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SourceError(
                "another sync of this input folder is running (it holds this lock)", path=lock
            ) from None
        yield  # the lock goes with the file handle


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
