"""One exception type for every source problem, so the CLI can print one clear line and exit.

Importers raise `SourceError` for bad input (naming the file and, where it applies, the row and
field); `http.py` raises its subclasses for missing credentials, refused credentials and servers
that keep failing. The CLI prints a SourceError as is; any other exception is unexpected, and the
CLI prints it on one line too (TOKENYIELD_DEBUG=1 shows its traceback).
"""

from __future__ import annotations

from pathlib import Path


class SourceError(Exception):
    """A problem with a source's input, worded for the person running the command.

    `str(error)` is one line: `path: row 3, field 'usage.input_tokens': expected an integer`.
    `row` counts from 1 (the first data row or line of the file).
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = None if path is None else Path(path)
        self.row = row
        self.field = field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        text = f"{', '.join(where)}: {self.message}" if where else self.message
        text = f"{self.path}: {text}" if self.path is not None else text
        return " ".join(text.split())  # always one line
