"""The caseload index: who the list shows, in its order, and the words a search finds them by.

Migration 0006 keeps two derived structures inside the encrypted caseload, maintained by SQLite
triggers on ``people`` and ``episodes`` whatever writes them (the core, a sync merge, an import,
a script), so they can never drift from the records:

* ``caseload_entries``: one entry per listed person (not deleted, not erased): the list's sort
  key (family name, given name, person id), the current journey's worker and ``open`` (no
  current journey, or one not exited: who the default list shows). Indexed so that "everyone
  open, in name order" and "this worker's open people, in name order" are one index walk that
  never reads a person's row or joins a journey.
* ``person_search``: an FTS5 index of the words people are found by (family name,
  given and preferred names, postcode spaced and compact, reference, NHS number) and of the
  entry's own state (``list``: "open" or "exited", and the worker), its rowid the entry's.
  FTS5 folds case and accents; apostrophes are removed on both sides (``fold``), so "O'Neill",
  "O’Neill" and "oneill" are one word, and "Zoë" is found by "zoe".

An entry's number follows the list's order: its top bits are the first five characters of the
family name, a count within them the low ``COUNT_BITS``. So the first screenful of a search is
read from FTS5 in rowid order, stopping after a screenful of matches and the rest of the last
one's five characters (``first_matching``): a search matching 100,000 people costs no more
than one matching a hundred.

Neither is synchronised or in ``models.Base.metadata``: they are derived, per replica, and only
on SQLite (a hub has no caseload list). This module turns what was typed into an FTS5 query;
``linkworker.caseload`` uses both to list people.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    bindparam,
    literal_column,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from linkworker.validation import OUTWARD_CODE

LOCAL = MetaData()  # derived tables, never Base.metadata (not synced, not on a hub)
entries = Table(
    "caseload_entries", LOCAL,
    Column("entry", Integer, primary_key=True),
    Column("person_id", String(36)),
    Column("family_name", String(100, collation="NOCASE")),
    Column("given_name", String(100, collation="NOCASE")),
    Column("worker_id", String(36)),
    Column("open", Boolean),
)
search_words = Table("person_search", LOCAL, Column("rowid", Integer))
DERIVED_TABLES = frozenset({"caseload_entries", "person_search"})  # FTS5 adds shadow tables

APOSTROPHES = ("'", "\u2019", "\u2018", "\u02bc")  # as migration 0006 removes them
NAME_COLUMNS = "{family first}"
OTHER_COLUMNS = "{postcode reference}"
EVERY_COLUMN = "{family first postcode reference}"
_NHS_TYPED = re.compile(r"[0-9][0-9\s-]*")
# The start of a postcode as typed (validation's parts): an outward code and a space, then
# none, some or all of the inward code; or the same run together with no space.
_POSTCODE_SPACED = re.compile(rf"({OUTWARD_CODE}) (?:([0-9][A-Z]{{0,2}}) ?)?")
_POSTCODE_COMPACT = re.compile(rf"{OUTWARD_CODE}(?:[0-9][A-Z]{{0,2}})?")
NEVER = ""  # a search that can match no one (nothing searchable was typed)
COUNT_BITS = 20  # as migration 0006 numbers entries


def fold(text: str) -> str:
    """Typed text as the index holds it: composed accents, apostrophes removed."""
    text = unicodedata.normalize("NFC", text)
    for mark in APOSTROPHES:
        text = text.replace(mark, "")
    return text


def tokens(text: str) -> list[str]:
    """The words in ``text`` (letters and digits; anything else separates, as in FTS5)."""
    return re.findall(r"[^\W_]+", fold(text))


def _prefix(words: list[str], exact: bool = False) -> str:
    """An FTS5 phrase of ``words`` whose last word is a prefix (quoted: nothing typed is
    ever read as FTS5 syntax; the words hold only letters and digits)."""
    return '"' + " ".join(words) + '"' + ("" if exact else "*")


def match_query(text: str) -> str | None:
    """The FTS5 query for what was typed in the search box; None for an empty box and
    ``NEVER`` when nothing in it could match.

    * "Family, Given": the family name starts with the first part, a given or preferred name
      with the second.
    * Otherwise every word typed starts a word of the person's names ("mar smi", "smith mar",
      "van der b", "o'neill"), or the whole text starts their postcode ("ne1 4", "ne14s") or
      reference ("lw-0012").
    * Digits alone are an NHS number: ten are matched exactly, fewer as its start (spaces and
      hyphens ignored: "943 476 5919").
    * Text shaped like a postcode is matched against postcodes (and references) alone, see
      ``postcode_query``.
    """
    postcode = postcode_query(text)
    if postcode is not None:
        return postcode
    text = " ".join(text.split())
    if not text:
        return None
    if "," in text:
        family, _, given = text.partition(",")
        if not tokens(family):
            return NEVER
        query = f"family : {_prefix(tokens(family))}"
        return f"{query} AND first : {_prefix(tokens(given))}" if tokens(given) else query
    options = []
    words = [w for w in (tokens(word) for word in text.split(" ")) if w]
    if len(words) == 1:
        options.append(f"{EVERY_COLUMN} : {_prefix(words[0])}")
    elif words:
        options.append(f"{NAME_COLUMNS} : ({' AND '.join(_prefix(w) for w in words)})")
        options.append(f"{OTHER_COLUMNS} : {_prefix([t for w in words for t in w])}")
    if _NHS_TYPED.fullmatch(text):
        digits = re.sub(r"\D", "", text)
        options.append(f"nhs : {_prefix([digits], exact=len(digits) == 10)}")
    return " OR ".join(f"({o})" for o in options) if options else NEVER


def postcode_query(text: str) -> str | None:
    """The FTS5 query for text shaped like the start of a UK postcode, in any case; None for
    any other text.

    * With the space ("ne1 ", "NE1 4", "ne1 4a", "NE1 4AB"): the outward code is whole, so it is
      matched as a word ("ne1 " finds NE1 4AB, not NE10 or NE15) and the inward code as
      the start of the next ("NE1 4" finds NE1 4AB, not NE14 6AB).
    * Without it ("ne1", "ne14", "ne14ab"): the start of the compact postcode, which may run
      into the inward code ("ne14" is NE1 4.. or NE14 ...).

    Names are not searched: no name has a word of letters then a digit, and every keystroke
    of a postcode no longer reads the index's name matches for it (issue 15). References
    are, as ever ("p1" is still a reference's start)."""
    spaced = _POSTCODE_SPACED.fullmatch(" ".join(text.upper().split()) + (
        " " if text[-1:].isspace() else ""))
    if spaced:
        outward, inward = spaced.group(1).lower(), (spaced.group(2) or "").lower()
        phrase = _prefix([outward, inward]) if inward else _prefix([outward], exact=True)
        return f"{OTHER_COLUMNS} : {phrase}"
    compact = text.strip().lower()
    if _POSTCODE_COMPACT.fullmatch(compact.upper()):
        return f"{OTHER_COLUMNS} : {_prefix([compact])}"
    return None


def within_list(query: str, worker_id: str | None, include_exited: bool) -> str:
    """``query`` limited to the list's people: open ones unless ``include_exited``, and one
    worker's if ``worker_id`` (the index's own ``list`` words, so FTS5 alone answers)."""
    terms = [f"({query})"]
    if not include_exited:
        terms.append('list : "open"')
    if worker_id is not None:
        quoted = worker_token(worker_id).replace('"', '""')
        terms.append(f'list : "{quoted}"')
    return " AND ".join(terms)


def worker_token(worker_id: str) -> str:
    """The worker's word in ``list``, as migration 0006 writes it (a UUID without hyphens is
    one word; FTS5 splits any other id the same way on both sides)."""
    return "w" + worker_id.replace("-", "")


def matching(query: str) -> Select:
    """The entries (FTS5 rowids) matching an FTS5 query from ``match_query``."""
    return select(search_words.c.rowid).where(_match(query))


def _match(query: str) -> ColumnElement[bool]:
    return literal_column("person_search").op("MATCH")(bindparam(None, query))


def _in_list_order(query: Select) -> Select:
    return query.order_by(entries.c.family_name, entries.c.given_name, entries.c.person_id)


def all_matching(session: Session, query: str, listed: Select) -> list[str]:
    """Every matching person's id in list order: ``listed`` (the list's own index walk, in
    name order) keeping the entries among FTS5's matches (gathered once; "+ 0" so that the
    walk, not the matches, drives and nothing is sorted)."""
    found = listed.where((entries.c.entry + 0).in_(matching(query)))
    return list(session.execute(found).scalars())


def first_matching(session: Session, query: str, limit: int) -> list[str]:
    """The first ``limit`` matching people's ids in list order, reading FTS5's matches in
    rowid order only as far as the end of the ``limit``-th match's name key: anyone with a
    later key comes after all of those in the list, so cannot be among the first ``limit``."""
    first = plain_rows(session, _FIRST_MATCHES, match=query, limit=limit)
    if not first:
        return []
    end = ((first[-1][0] >> COUNT_BITS) + 1) << COUNT_BITS
    return [row[0] for row in plain_rows(session, _FIRST_PEOPLE, match=query, end=end,
                                         limit=limit)]


# ``first_matching``'s two SELECTs, built once (what was typed, the end and the limit are
# bound): building them at every keystroke was about a tenth of its read (issue 15).
_TYPED = literal_column("person_search").op("MATCH")(bindparam("match"))
_FIRST_MATCHES = select(search_words.c.rowid).where(_TYPED).order_by(
    search_words.c.rowid).limit(bindparam("limit"))
_FIRST_PEOPLE = _in_list_order(select(entries.c.person_id).select_from(
    search_words.join(entries, entries.c.entry == search_words.c.rowid)).where(
    _TYPED, search_words.c.rowid < bindparam("end"))).limit(bindparam("limit"))


# --- statements run on the DB-API cursor ----------------------------------------------------

_IN_LIST = "(__[POSTCOMPILE_{name}])"  # how SQLAlchemy writes an expanding IN before it runs


@functools.lru_cache(maxsize=32)
def _plain(statement: Any, dialect: Any) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """``statement``'s SQL for this dialect, its parameters' names in order and their
    defaults, made once. An expanding IN becomes one parameter (a JSON list read by
    ``json_each``), so the SQL is the same whatever the list's length."""
    compiled = statement.compile(dialect=dialect)
    sql = compiled.string
    for name, bind in compiled.binds.items():
        if bind.expanding:
            sql = sql.replace(_IN_LIST.format(name=name), "(SELECT value FROM json_each(?))")
    return sql, tuple(compiled.positiontup or ()), dict(compiled.params)


def plain_rows(session: Session, statement: Any, **values: Any) -> list[tuple]:
    """``statement``'s rows as the driver returns them (plain tuples, no conversion),
    run on the session's own connection. For the few reads a keystroke waits on: compiling,
    binding and building SQLAlchemy rows were about a third of the first screenful's read
    (issue 15). Only for statements whose columns need no conversion, or whose caller
    converts them (dates come back as ISO text). Errors are SQLAlchemy's, as from
    ``session.execute``, so a damaged page is still recognised."""
    sql, names, defaults = _plain(statement, session.get_bind().dialect)
    params = tuple(_parameter(values[name] if name in values else defaults[name])
                   for name in names)
    bound = session.connection()
    connection = bound.connection.driver_connection
    cursor = connection.cursor()
    for listener in bound.dispatch.before_cursor_execute:  # whoever watches the statements
        listener(bound, cursor, sql, params, None, False)
    try:
        return cursor.execute(sql, params).fetchall()
    except connection.Error as exc:  # the driver's error, raised as session.execute would
        raise DBAPIError.instance(sql, None, exc, connection.Error,
                                  hide_parameters=True) from exc
    finally:
        cursor.close()


def _parameter(value: Any) -> Any:
    return json.dumps(list(value)) if isinstance(value, list | tuple) else value


# --- warming: the search index's pages in a reader's cache ---------------------------------

WARM_BLOCKS = 250  # FTS5 blocks (about a page each) read per step: a few ms


def warm(session: Session, after: int | None) -> int | None:
    """Read the next ``WARM_BLOCKS`` of the search index into this connection's page cache
    (``after``: the last block read by the previous step; None to begin, with the term
    index). Returns where to go on from, or None when all of it has been read.

    The first keystroke of each word otherwise meets the index's pages cold: decrypted and
    parsed at the keystroke, 10-20 ms of a reader's CPU (issue 15). The caller takes one step
    at a time, so a user's search waits for at most one step."""
    if after is None:  # the term index, and the search's statements made ready (no rows)
        session.execute(text("SELECT count(*) FROM person_search_idx")).scalar_one()
        for statement in (_FIRST_MATCHES, _FIRST_PEOPLE):
            session.execute(statement, {"match": '"a"', "end": 0, "limit": 0}).all()
        after = -1
    last = session.execute(_WARM, {"after": after, "blocks": WARM_BLOCKS}).scalar()
    return last


_WARM = text("SELECT max(id) FROM (SELECT id FROM person_search_data WHERE id > :after "
             "ORDER BY id LIMIT :blocks)")
