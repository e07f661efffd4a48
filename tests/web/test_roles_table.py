"""The web app hides what a role can't do from a copy of the permission table
(``web/src/lib/roles.json``); it must say what ``fleetyard.auth.roles`` says."""

from __future__ import annotations

import json
from pathlib import Path

from fleetyard.auth.roles import ROLE_PERMISSIONS, ROLE_RANK, Permission

TABLE = Path(__file__).resolve().parents[2] / "web" / "src" / "lib" / "roles.json"


def test_the_web_apps_role_table_is_the_servers() -> None:
    table = json.loads(TABLE.read_text(encoding="utf-8"))
    assert table["permissions"] == [p.value for p in Permission]
    assert table["roles"] == {
        role.value: sorted(p.value for p in permissions)
        for role, permissions in ROLE_PERMISSIONS.items()
    }
    assert table["rank"] == {role.value: rank for role, rank in ROLE_RANK.items()}
