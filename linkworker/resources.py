"""Where the files shipped with LinkWorker live (instrument definitions, code lists...)."""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path to a shipped resource; raises FileNotFoundError with the path if it is missing."""
    path = RESOURCES.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"LinkWorker resource missing: {path}")
    return path
