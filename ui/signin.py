"""Sign-in (placeholder until the accounts work lands): acts as a manager."""

from __future__ import annotations

from linkworker.access import Actor


def sign_in(runner, parent=None) -> Actor | None:  # noqa: ANN001
    return Actor(user_id=None, username="manager", role="manager", display_name="Manager")
