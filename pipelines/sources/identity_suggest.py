"""`tokenyield identities suggest`: propose people for the accounts that match nobody.

An account matches nobody when it appears in ai_usage / ai_activity (user), pull_requests
(author) or tickets (assignee), or in identities with a person_id that is no person (an
importer's account ↔ email hint), and resolves to no person by the contract's rules. Rules, best
first: the same email (case-insensitive), a GitHub noreply email (`123+login@users.noreply.github.com`)
whose login is known, a login equal to an email's local part (ignoring case, `.`, `-`, `_`),
and the same display name. The output is a CSV a reviewer completes (`confirmed` = yes/no);
`identities apply` (identity_apply.py) then adds the confirmed rows.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer

from pipelines.csv_cells import neutral
from pipelines.sources.errors import SourceError
from pipelines.sources.identity_inputs import InputTables, read_inputs, system_of
from pipelines.sources.output_common import is_email

COLUMNS = ("system", "external_id", "proposed_person_id", "proposed_email", "rule", "confidence", "confirmed")
_NOREPLY = re.compile(r"^(?:\d+\+)?([^@+]+)@users\.noreply\.github\.com$", re.IGNORECASE)


@dataclass
class Account:
    system: str
    external_id: str
    emails: set[str] = field(default_factory=set)  # from identity hints
    names: set[str] = field(default_factory=set)


def normalize_login(text: str) -> str:
    return re.sub(r"[._-]", "", text.casefold())


def normalize_name(text: str) -> str:
    return " ".join(text.casefold().split())


def noreply_login(email: str) -> str | None:
    match = _NOREPLY.match(email.strip())
    return match.group(1) if match else None


def unmatched_accounts(tables: InputTables) -> list[Account]:
    """Every account that resolves to no person (bots left out), in a stable order."""
    people = tables.people
    known = {e.casefold() for e in people["email"] if e} | {p.casefold() for p in people["person_id"] if p}
    person_ids = set(people["person_id"])
    valid = [row for row in tables.identities if row["person_id"] in person_ids]
    known |= {row["external_id"].casefold() for row in valid if row["external_id"]}
    bots = {b.strip().casefold() for b in os.environ.get("TOKENYIELD_BOT_LOGINS", "").split(",") if b.strip()}
    accounts: dict[tuple[str, str], Account] = {}

    def add(system: str, external_id: str | None) -> Account | None:
        if not external_id or not external_id.strip() or external_id.casefold() in known:
            return None
        return accounts.setdefault((system, external_id.casefold()), Account(system, external_id))

    for table, column, tool, source in tables.uses:
        if table == "pull_requests" and column and (column.endswith("[bot]") or column.casefold() in bots):
            continue
        add(system_of(table, tool, source), column)
    for row in tables.identities:
        if row["person_id"] in person_ids:
            continue
        account = add(row["system"] or "unknown", row["external_id"])
        if account and row["person_id"] and is_email(row["person_id"]):
            account.emails.add(row["person_id"])
        if account and row.get("name"):
            account.names.add(row["name"])
    return sorted(accounts.values(), key=lambda a: (a.system, a.external_id.casefold()))


def suggest(tables: InputTables) -> list[dict[str, str]]:
    """One proposal per (account, person), with its best rule; best first within an account."""
    people = tables.people
    by_email = {e.casefold(): (p, e) for p, e in zip(people["person_id"], people["email"], strict=True) if e}
    by_local: dict[str, list[tuple[str, str]]] = {}
    by_name: dict[str, list[tuple[str, str]]] = {}
    for person_id, email, name in zip(people["person_id"], people["email"], people["name"], strict=True):
        if email and "@" in email:
            by_local.setdefault(normalize_login(email.split("@")[0]), []).append((person_id, email))
        if name:
            by_name.setdefault(normalize_name(name), []).append((person_id, email))
    emails_of = {p: e for p, e in zip(people["person_id"], people["email"], strict=True)}
    by_login = {
        row["external_id"].casefold(): row["person_id"]
        for row in tables.identities
        if row["person_id"] in emails_of and row["external_id"]
    }

    proposals: list[dict[str, str]] = []
    for account in unmatched_accounts(tables):
        best: dict[str, tuple[float, str]] = {}

        def propose(person_id: str, rule: str, confidence: float, best=best) -> None:
            if person_id not in best or best[person_id][0] < confidence:
                best[person_id] = (confidence, rule)

        def propose_all(found: list[tuple[str, str]], rule: str, confidence: float) -> None:
            for person_id, _ in found:
                propose(person_id, rule, confidence if len(found) == 1 else confidence / 2)

        addresses = account.emails | ({account.external_id} if "@" in account.external_id else set())
        for email in addresses:
            if email.casefold() in by_email:
                propose(by_email[email.casefold()][0], "same_email", 0.99)
            login = noreply_login(email)
            if login and login.casefold() in by_login:
                propose(by_login[login.casefold()], "github_noreply", 0.95)
            elif login:
                propose_all(by_local.get(normalize_login(login), []), "github_noreply", 0.8)
        if "@" not in account.external_id:
            propose_all(by_local.get(normalize_login(account.external_id), []), "login_local_part", 0.8)
        for name in account.names | {account.external_id}:
            propose_all(by_name.get(normalize_name(name), []), "same_name", 0.7)
        for person_id, (confidence, rule) in sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0])):
            proposals.append(
                {
                    "system": account.system,
                    "external_id": account.external_id,
                    "proposed_person_id": person_id,
                    "proposed_email": emails_of.get(person_id) or "",
                    "rule": rule,
                    "confidence": f"{confidence:.2f}",
                    "confirmed": "",
                }
            )
    return proposals


def write_suggestions(proposals: list[dict[str, str]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows({k: neutral(v) for k, v in row.items()} for row in proposals)


def register(identities: typer.Typer) -> None:
    """Add `suggest` and `apply` to the `identities` command group."""
    from pipelines.sources.identity_apply import apply_command

    identities.command("suggest")(suggest_command)
    identities.command("apply")(apply_command)


def suggest_command(
    input: Annotated[
        Path, typer.Option("--input", help="The input folder (people, identities, usage, output).")
    ],
    out: Annotated[Path, typer.Option("--out", help="The CSV to write the proposals into, to review.")],
) -> None:
    """Propose people for accounts that match nobody; writes a CSV to review (confirmed = yes/no)."""
    try:
        tables = read_inputs(input)
        accounts = unmatched_accounts(tables)
        proposals = suggest(tables)
        write_suggestions(proposals, out)
    except SourceError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    proposed = len({(p["system"], p["external_id"]) for p in proposals})
    typer.echo(
        f"{len(accounts)} unmatched accounts, {proposed} with a proposal ({len(proposals)} rows) -> {out}"
    )
