"""A plain description of a caseload for ``linkworker info`` and the About box."""

from __future__ import annotations

from sqlalchemy import func, select

from linkworker import models
from linkworker.storage import keys, migrate
from linkworker.storage.database import Caseload

COUNTED = (
    ("People", models.Person),
    ("Episodes", models.Episode),
    ("Contacts", models.Contact),
    ("Goals", models.Goal),
    ("Signposts", models.Signpost),
    ("Measures", models.Measure),
    ("Directory services", models.Service),
    ("Users", models.User),
    ("Audit events", models.AuditEvent),
)


def describe(caseload: Caseload) -> list[tuple[str, str]]:
    key_file = keys.KeyFile.load(keys.key_file_path(caseload.path))
    with caseload.engine.connect() as conn:
        cipher = conn.exec_driver_sql("PRAGMA cipher_version").scalar()
        journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    current = migrate.current_revision(caseload.engine)
    size_mb = caseload.path.stat().st_size / 1_000_000
    lines = [
        ("Caseload file", str(caseload.path)),
        ("Key file", str(keys.key_file_path(caseload.path))),
        ("Size", f"{size_mb:.1f} MB"),
        ("Schema version", f"{current} (newest {migrate.head_revision()})"),
        ("Encryption", f"SQLCipher {cipher}, AES-256, raw 256-bit key"),
        ("Key held by", "OS keyring and passphrase" if key_file.in_keyring else "passphrase only"),
        ("Journal", str(journal).upper()),
    ]
    with caseload.reading() as session:
        for label, model in COUNTED:
            count = session.execute(select(func.count()).select_from(model)).scalar_one()
            lines.append((label, f"{count:,}"))
    return lines


def page_damage(caseload: Caseload) -> tuple[str, str, list[int]]:
    """Every page's HMAC checked (``storage.pages``): the line for ``info`` and the damaged
    page numbers. Slower than the counts (it reads the whole file), so not in the About box."""
    checker = caseload.page_checker()
    if not checker.usable:
        return "Damaged pages", "not checked (other SQLCipher settings)", []
    damaged = checker.all_damaged()
    if not damaged:
        return "Damaged pages", f"none ({checker.page_count:,} pages checked)", []
    shown = ", ".join(str(n) for n in damaged[:10]) + (" …" if len(damaged) > 10 else "")
    return "Damaged pages", f"{len(damaged):,} (page {shown})", damaged
