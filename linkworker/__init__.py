"""LinkWorker core: the caseload, journeys, wellbeing, outcomes and returns. No Qt here."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path


def _version() -> str:
    """The version lives only in pyproject.toml: installed (and frozen, where the spec copies
    the package metadata) it comes from the metadata; a bare checkout reads pyproject itself."""
    try:
        return metadata.version("linkworker")
    except metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        try:
            found = re.search(r'^version\s*=\s*"([^"]+)"', pyproject.read_text("utf-8"), re.M)
        except OSError:
            found = None
        return found.group(1) if found else "0+unknown"


__version__ = _version()
