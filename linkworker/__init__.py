"""LinkWorker core: the caseload, journeys, wellbeing, outcomes and returns. No Qt here."""

from __future__ import annotations

import re
from pathlib import Path


def _version() -> str:
    """The version lives only in pyproject.toml: installed (and frozen, where the spec copies
    the package metadata) it comes from the metadata; a bare checkout reads pyproject itself."""
    from importlib import metadata

    try:
        return metadata.version("linkworker")
    except metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        try:
            found = re.search(r'^version\s*=\s*"([^"]+)"', pyproject.read_text("utf-8"), re.M)
        except OSError:
            found = None
        return found.group(1) if found else "0+unknown"


def __getattr__(name: str) -> str:
    """``__version__``, worked out when first asked for: ``importlib.metadata`` is a tenth of a
    second of imports, and the app's first import of this package (the key file's module, to
    begin Argon2id) must not wait for it (issue 15)."""
    if name == "__version__":
        globals()["__version__"] = version = _version()
        return version
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
