"""A reader never sees a half-built warehouse: while builds swap new warehouses in, a dashboard-like
reader in another process keeps opening the warehouse read-only and querying it, and every answer
is the whole old warehouse or the whole new one, never an error or a mix."""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from pathlib import Path

from pipelines.build import build
from pipelines.settings import Settings

PEOPLE = "person_id,email,name,team,manager_id,role,level\np1,a@x.io,A,core,,engineer,L4\n"
HEADER = "occurred_at,user,tool,model,input_tokens,output_tokens,event_id\n"
MONDAY = "2026-03-02T10:00Z,a@x.io,claude-code,claude-sonnet-4-5,100,10,e1\n"  # 110 tokens
TUESDAY = "2026-03-03T10:00Z,a@x.io,claude-code,claude-sonnet-4-5,1000,0,e2\n"  # 1000 more

# (tokens, ai_usage rows read): each warehouse as a whole
OLD, NEW = (110, 1), (1110, 2)

READER = """
import sys, time
from pathlib import Path
from pipelines.warehouse import connect_read_only
db, stop = Path(sys.argv[1]), Path(sys.argv[2])
while not stop.exists():
    try:
        con = connect_read_only(db)
        try:
            row = con.execute(
                "select (select sum(total_tokens) from fct_person_weeks), "
                "(select rows_read from build_rows where table_name = 'ai_usage')"
            ).fetchall()[0]
        finally:
            con.close()
        print(f"{row[0]} {row[1]}", flush=True)
    except Exception as error:
        print("ERROR " + " ".join(str(error).split()), flush=True)
    time.sleep(0.005)
"""


def test_a_reader_sees_the_old_or_the_new_warehouse_never_an_error_or_a_mix(tmp_path: Path):
    folder = tmp_path / "in"
    (folder / "ai_usage").mkdir(parents=True)
    (folder / "people.csv").write_text(PEOPLE)
    monday, tuesday = folder / "ai_usage" / "2026-03-02.csv", folder / "ai_usage" / "2026-03-03.csv"
    monday.write_text(HEADER + MONDAY)
    db = tmp_path / "w.duckdb"
    build(Settings(input_dir=folder, warehouse_path=db))
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db), str(stop)],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    first = ""
    try:
        assert reader.stdout is not None
        first = reader.stdout.readline()  # the reader is up before the first swap
        plans = []
        for _ in range(2):
            tuesday.write_text(HEADER + TUESDAY)  # a new day arrives: an incremental build
            plans.append(build(Settings(input_dir=folder, warehouse_path=db)).incremental)
            tuesday.unlink()  # and is withdrawn again: a full build
            plans.append(build(Settings(input_dir=folder, warehouse_path=db)).incremental)
        time.sleep(0.3)
    finally:
        stop.touch()
        rest, _ = reader.communicate(timeout=600)
    output = first + rest
    assert plans == [True, False] * 2
    answers = [
        tuple(int(v) for v in line.split()) if not line.startswith("ERROR") else line
        for line in output.split("\n")
        if line
    ]
    errors = [a for a in answers if isinstance(a, str)]
    assert not errors, errors[:3]
    assert set(answers) == {OLD, NEW}
    assert len(answers) > 50
    assert sum(1 for a, b in itertools.pairwise(answers) if a != b) >= 3  # it read across the swaps
