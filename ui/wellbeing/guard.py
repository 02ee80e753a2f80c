"""Callbacks that outlive their widget: a result can arrive after its dialog was closed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtWidgets import QWidget


def while_alive(widget: QWidget, callback: Callable[..., Any]) -> Callable[..., None]:
    """Wrap a runner callback so it does nothing once ``widget`` has been deleted."""

    def call(*args: Any) -> None:
        if shiboken6.isValid(widget):
            callback(*args)

    return call
