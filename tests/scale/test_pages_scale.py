"""The pages that open with what changed (Overview, Efficiency, Methods, My team, My data) render at
every organization size, for the demo's leader, without an exception and with their lead."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.timeouts import APPTEST_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = (
    "dashboard/pages/efficiency.py",
    "dashboard/pages/methods.py",
    "dashboard/pages/my_team.py",
    "dashboard/pages/my_data.py",
)


def test_each_page_renders_at_every_size(scale_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKENYIELD_DB", str(scale_db))
    monkeypatch.delenv("TOKENYIELD_LOCAL_VIEWER", raising=False)
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT)
    at.user = {"is_logged_in": True, "email": "demo-leader", "email_verified": True}
    at.run()  # the Overview
    seen = [at.title[0].value]
    for page in [None, *PAGES]:
        if page:
            at.switch_page(page).run()
            seen.append(at.title[0].value)
        assert not at.exception, (seen[-1], [e.message for e in at.exception])
        text = "\n".join(m.value for m in at.markdown)
        said = [w.value for w in [*at.warning, *at.info]]
        # the comparison with the previous period leads, or the page says plainly why it shows nothing
        assert "against the" in text or said, (seen[-1], text[:300])
    assert seen == ["Overview", "Efficiency", "Methods", "My team", "My data"]
