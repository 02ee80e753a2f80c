"""Finding damaged pages of an encrypted caseload, a slice at a time, without SQLite.

SQLite's ``quick_check`` reads the whole file before it answers (40 s at 150,000 people), so it
cannot stand between a link worker and their caseload. SQLCipher already guards every page: the
last bytes of each 4 KB page are a HMAC-SHA512 over the page's ciphertext, its IV and its page
number. Recomputing that HMAC proves a page is exactly as SQLCipher wrote it, for any page,
in any order, without decrypting anything or holding a database lock. So:

* at open, the first ``OPEN_CHECK_PAGES`` pages (the schema and the small tables every screen
  reads first) are checked before anything else reads them; a damaged one is reported as a
  damaged caseload, with an offer to restore, instead of a crash on the first query;
* during the session the rest of the file is checked in slices in the background
  (``PageChecker.slices``), so damage anywhere is found within the session;
* ``linkworker info`` checks every page.

The HMAC key is derived as SQLCipher 4 derives it from a raw key: PBKDF2-HMAC-SHA512 over the
key, with the file's 16-byte salt XOR 0x3a, 2 rounds, 32 bytes. If page 1 (which SQLite has
just read successfully) does not verify, the file was written with other settings and the
checker says so (``usable`` is False) rather than calling a sound file damaged.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PAGE_SIZE = 4096
SALT_SIZE = 16
IV_SIZE = 16
HMAC_SIZE = 64
RESERVE = IV_SIZE + HMAC_SIZE  # SQLCipher 4's default reserve: IV then HMAC
HMAC_SALT_MASK = 0x3A
HMAC_KDF_ROUNDS = 2
# SQLite never writes the page holding byte 0x40000000 (the lock-byte page, 1 GB in): it is
# not a page of the database, whatever it holds.
LOCK_BYTE_PAGE = 0x40000000 // PAGE_SIZE + 1
OPEN_CHECK_PAGES = 512  # 2 MB: a few milliseconds, and it covers the schema and small tables
SLICE_PAGES = 2048  # 8 MB per background step: short enough to cancel or pause promptly


@dataclass(frozen=True)
class SliceResult:
    """One background step: pages ``first``..``last`` (1-based) checked, the damaged ones."""

    first: int
    last: int
    total: int
    damaged: tuple[int, ...]


@dataclass
class PageChecker:
    """Checks the HMAC of any range of pages of one encrypted caseload file."""

    path: Path
    key: bytes
    _hmac_key: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        with self.path.open("rb") as handle:
            salt = handle.read(SALT_SIZE)
        mask = bytes(b ^ HMAC_SALT_MASK for b in salt)
        self._hmac_key = hashlib.pbkdf2_hmac("sha512", self.key, mask, HMAC_KDF_ROUNDS, 32)

    @property
    def page_count(self) -> int:
        """Pages in the file, counting a cut-short last page (which is then damaged)."""
        return -(-self.path.stat().st_size // PAGE_SIZE)

    @property
    def usable(self) -> bool:
        """Does page 1 verify? (It must, since SQLite read it: otherwise other settings.)"""
        return self.page_count > 0 and not self.damaged_pages(1, 1)

    def _sound(self, number: int, page: bytes) -> bool:
        start = SALT_SIZE if number == 1 else 0
        end = PAGE_SIZE - RESERVE + IV_SIZE
        # One-shot ``hmac.digest`` (OpenSSL in C, no HMAC object per page): the check holds
        # the GIL as briefly as it can while the user types beside it.
        expected = hmac.digest(self._hmac_key, page[start:end] + struct.pack("<I", number),
                               "sha512")
        return hmac.compare_digest(expected, page[end:end + HMAC_SIZE])

    def damaged_pages(self, first: int, count: int) -> list[int]:
        """Page numbers in ``first``..``first+count-1`` whose HMAC does not match (1-based).

        A page cut short by truncation counts as damaged."""
        if count <= 0:
            return []
        with self.path.open("rb") as handle:
            handle.seek((first - 1) * PAGE_SIZE)
            data = handle.read(count * PAGE_SIZE)
        damaged = []
        for index in range(count):
            number = first + index
            page = data[index * PAGE_SIZE:(index + 1) * PAGE_SIZE]
            if not page:
                break
            if number == LOCK_BYTE_PAGE:
                continue
            if len(page) < PAGE_SIZE or not self._sound(number, page):
                damaged.append(number)
        return [n for n in damaged if not self._sound_on_second_look(n)]

    def _sound_on_second_look(self, number: int) -> bool:
        """A checkpoint may have been writing the page as it was read: read it once more."""
        with self.path.open("rb") as handle:
            handle.seek((number - 1) * PAGE_SIZE)
            page = handle.read(PAGE_SIZE)
        return len(page) == PAGE_SIZE and self._sound(number, page)

    def slices(self, start: int = 1, size: int = SLICE_PAGES) -> Iterator[SliceResult]:
        """Check the file from page ``start`` to its end, one slice per step (for a
        background job that reports progress and may be cancelled between steps)."""
        first = start
        while True:
            total = self.page_count
            if first > total:
                return
            count = min(size, total - first + 1)
            yield SliceResult(first, first + count - 1, total,
                              tuple(self.damaged_pages(first, count)))
            first += count

    def all_damaged(self) -> list[int]:
        """Every damaged page in the file (``linkworker info``)."""
        return [n for result in self.slices() for n in result.damaged]
