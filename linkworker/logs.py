"""Logging and crash reports that never carry personal data.

The rule is that code logs only ids, counts and outcomes ("restored backup, 312 people"), never
names, notes or values. This module is the safety net under that rule:

* every line written to the log folder passes through ``scrub``, which masks the shapes of
  personal data a slip could leak (NHS numbers, postcodes, emails, phone numbers, dates of birth);
* crash reports keep the traceback's *places* (file, line, function, source line) but not the
  exception's message or any variable values, which is where data hides;
* nothing goes to a temp folder: logs live in ``paths.log_dir()``, rotated, with the caseload.
"""

from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
import platform
import re
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from linkworker import __version__
from linkworker.paths import log_dir

LOG_NAME = "linkworker.log"
_HANDLER_NAME = "linkworker-scrubbed-file"

# Shapes of personal data, most specific first. Replacements name the kind, so a log still
# says *that* something was there.
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "<email>"),
    (re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b"), "<nhs-or-phone>"),
    (re.compile(r"(?:\+44\s?|\b0)\d(?:[ -]?\d){8,9}\b"), "<phone>"),
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE), "<postcode>"),
    (re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b"), "<date>"),
)


def scrub(text: str) -> str:
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class ScrubbingFormatter(logging.Formatter):
    """Formats as usual, then masks personal-data shapes in the whole line (and traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def log_file(folder: Path | None = None) -> Path:
    return (folder or log_dir()) / LOG_NAME


def setup(level: int = logging.INFO, folder: Path | None = None, program: str = "app") -> Path:
    """Send the ``linkworker`` and ``ui`` loggers to a rotating, scrubbed file; idempotent.

    The first line of each run says what started and on what, which is the first thing an IT
    volunteer reading the log for a charity needs."""
    path = log_file(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    for name in ("linkworker", "ui"):
        logger = logging.getLogger(name)
        logger.setLevel(level)
        for handler in list(logger.handlers):
            if handler.get_name() == _HANDLER_NAME:
                logger.removeHandler(handler)
                handler.close()
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
        )
        handler.set_name(_HANDLER_NAME)
        handler.setFormatter(ScrubbingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
    logging.getLogger("linkworker").info(
        "LinkWorker %s %s started (Python %s, %s)", __version__, program,
        platform.python_version(), platform.platform(terse=True))
    return path


def shutdown() -> None:
    """Close the file handlers (tests, and before a restore moves folders)."""
    for name in ("linkworker", "ui"):
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            if handler.get_name() == _HANDLER_NAME:
                logger.removeHandler(handler)
                handler.close()


# --- crashes --------------------------------------------------------------------------------


def crash_text(kind: type[BaseException], tb: TracebackType | None) -> str:
    """The report: version, exception type and where it happened; no message, no values."""
    frames = traceback.extract_tb(tb)
    lines = [
        f"LinkWorker {__version__} crash report, {dt.datetime.now():%Y-%m-%d %H:%M:%S}",
        f"Python {sys.version.split()[0]} on {sys.platform}",
        f"Exception: {kind.__module__}.{kind.__qualname__}",
        "(The exception's message and values are left out: they may contain personal data.)",
        "Traceback (most recent call last):",
    ]
    for frame in frames:
        lines.append(f'  File "{_short(frame.filename)}", line {frame.lineno}, in {frame.name}')
        if frame.line:
            lines.append(f"    {frame.line.strip()}")
    return scrub("\n".join(lines) + "\n")


def _short(filename: str) -> str:
    """Paths relative to the package, so a report does not carry the user's home folder."""
    parts = Path(filename).parts
    for anchor in ("linkworker", "ui", "site-packages"):
        if anchor in parts:
            return "/".join(parts[parts.index(anchor):])
    return Path(filename).name


def write_crash_report(
    kind: type[BaseException], tb: TracebackType | None, folder: Path | None = None
) -> Path:
    folder = folder or log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"crash-{dt.datetime.now():%Y%m%d-%H%M%S-%f}.txt"
    path.write_text(crash_text(kind, tb), encoding="utf-8")
    logging.getLogger("linkworker").error("crash report written: %s", path.name)
    return path


def report_exception(exc: BaseException) -> Path:
    """For code that catches an unexpected error (e.g. the Runner): record it safely."""
    return write_crash_report(type(exc), exc.__traceback__)


def install_crash_handler(notify: Callable[[Path], None] | None = None) -> None:
    """Route uncaught exceptions (main and other threads) to a scrubbed crash report.

    ``notify`` (the app) is told the report's path so it can say sorry and where it is.
    """

    def handle(kind, value, tb) -> None:  # sys.excepthook's signature
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        path = write_crash_report(kind, tb)
        if notify is not None:
            notify(path)

    def handle_thread(args: threading.ExceptHookArgs) -> None:
        # Off the main thread there is no window to tell: the report alone.
        write_crash_report(args.exc_type, args.exc_traceback)

    sys.excepthook = handle
    threading.excepthook = handle_thread
