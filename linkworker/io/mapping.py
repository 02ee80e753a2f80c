"""Which spreadsheet column holds which LinkWorker field: the catalogue, guessing, mapping files.

Each kind of import has a catalogue of fields. A field knows its label, whether it is needed,
how its cells are read (``type``, see ``validate``) and the headers charities commonly use for
it ("Surname", "Last name", "DOB", "NHS No", "Post Code"). Headers are compared with case,
spaces and punctuation removed, then with a little tolerance for typos ("Postocde"). The
export writes every column under its field name, so an export always maps back by itself.

A mapping the user corrected can be saved as a small JSON file and passed again
(``--mapping``): the columns it names are mapped as it says, the rest are still guessed.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linkworker.errors import UserError
from linkworker.io.vocab import squash
from linkworker.storage.files import atomic_write_text


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = "text"
    required: bool = False
    synonyms: tuple[str, ...] = ()
    limit: int = 200  # characters, for text
    help: str = ""


def _f(name: str, label: str, type: str = "text", *synonyms: str, required: bool = False,
       limit: int = 200, help: str = "") -> Field:
    return Field(name, label, type, required, synonyms, limit, help)


_ID = _f("id", "LinkWorker id", "uuid", "linkworker id", "uuid", "internal id",
         help="LinkWorker's own id (from an export); matches the record exactly.")
_PERSON = _f("person", "Person", "person", "client id", "client ref", "client reference",
             "client number", "person id", "person ref", "person reference", "lw reference",
             "linkworker reference", "participant id", "service user id", "client", "reference",
             "ref", "nhs number", "nhs no",
             help="The person's reference in your sheet, their LinkWorker reference (LW-...), "
                  "LinkWorker id or NHS number.")
_EPISODE = _f("episode", "Journey", "episode", "episode id", "journey id", "referral id",
              "episode ref", "journey ref", "referral ref",
              help="The journey's reference in your sheet or its LinkWorker id; if missing, the "
                   "person's journey by number, else their latest journey.")
_EPISODE_NUMBER = _f("episode_number", "Journey number", "int", "episode number",
                     "journey number", "referral number", "episode no")
_WORKER = _f("worker", "Link worker", "worker", "link worker", "worker", "assigned worker",
             "allocated to", "allocated worker", "caseworker", "key worker", "staff", "lw",
             help="The link worker's username or name as it appears in LinkWorker.")


def _refs(*synonyms: str) -> Field:
    return _f("external_ref", "Your reference", "ref", *synonyms,
              help="Your own id for the row: importing again with the same reference updates "
                   "the row instead of adding it twice.", limit=100)


PEOPLE = (
    _ID,
    _f("lw_reference", "LinkWorker reference", "lw_reference", "lw reference", "lw ref",
       "linkworker reference", "linkworker ref", limit=20),
    _refs("client id", "client ref", "client reference", "client number", "external ref",
          "external reference", "reference", "ref", "your reference", "case id", "case number",
          "record id", "service user id", "participant id", "person id", "id number",
          "unique id"),
    _f("given_name", "Given name", "text", "first name", "firstname", "forename", "forenames",
       "given name", "given names", "christian name", "first", "client first name", limit=100),
    _f("family_name", "Family name", "text", "surname", "last name", "lastname", "family name",
       "second name", "client surname", "client last name", limit=100),
    _f("full_name", "Full name", "text", "name", "full name", "client name", "person name",
       "clients name", "service user name", limit=200,
       help="Split into given and family name at the last space, when those are not given."),
    _f("preferred_name", "Preferred name", "text", "preferred name", "known as", "nickname",
       "prefers to be called", limit=100),
    _f("date_of_birth", "Date of birth", "dob", "dob", "date of birth", "d o b", "birth date",
       "birthdate", "born", "birthday"),
    _f("nhs_number", "NHS number", "nhs", "nhs number", "nhs no", "nhs num", "nhs id"),
    _f("address_line1", "Address line 1", "text", "address", "address 1", "address line 1",
       "street", "street address", "house", "first line of address"),
    _f("address_line2", "Address line 2", "text", "address 2", "address line 2", "locality",
       "area"),
    _f("town", "Town", "text", "town", "city", "town city", "address 3", limit=100),
    _f("postcode", "Postcode", "postcode", "post code", "postcode", "post-code", "zip",
       "postal code"),
    _f("phone", "Phone", "text", "phone", "telephone", "tel", "mobile", "phone number",
       "telephone number", "contact number", "mobile number", limit=40),
    _f("email", "Email", "email", "email", "e-mail", "email address", "e mail"),
    _f("gender", "Gender", "gender", "gender", "sex", "gender code"),
    _f("gender_self_described", "Gender (self-described)", "text", "gender self described",
       "gender identity", "gender other", limit=100),
    _f("ethnicity", "Ethnicity", "ethnicity", "ethnicity", "ethnic group", "ethnic origin",
       "ethnic background", "ethnic category"),
    _f("disability", "Disability", "disability", "disability", "disabled",
       "disability status"),
    _f("carer_status", "Carer status", "carer", "carer status", "carer", "unpaid carer",
       "is carer"),
    _f("living_circumstances", "Living circumstances", "text", "living circumstances",
       "living situation", "lives alone", "household", limit=4000),
    _f("gp_practice", "GP practice", "text", "gp", "gp practice", "gp surgery", "surgery",
       "practice", "registered gp"),
    _f("is_volunteer", "Volunteer", "bool", "volunteer", "is volunteer"),
    _f("contact_preferences", "Contact preferences", "json", "contact preferences"),
    _f("imd_decile", "IMD decile", "decile", "imd decile", "imd", "deprivation decile"),
    _f("imd_edition", "IMD edition", "text", "imd edition", limit=10),
)

EPISODES = (
    _ID, _refs("episode ref", "referral id", "referral ref", "journey ref", "episode id",
               "journey id", "referral reference"),
    _PERSON,
    _f("number", "Journey number", "int", "episode number", "journey number",
       "referral number", "episode no", "episode"),
    _f("referral_date", "Referral date", "date", "referral date", "date referred",
       "referred on", "date of referral", "referral received", "date received", "referred",
       required=True),
    _f("referral_source", "Referral source", "referral_source", "source", "referral source",
       "referred by", "referrer type", "source of referral", "referral route"),
    _f("referral_reasons", "Referral reasons", "reasons", "reasons", "referral reason",
       "referral reasons", "reason for referral", "reasons for referral", "reason"),
    _f("referrer_name", "Referrer", "text", "referrer", "referrer name", "referred by name"),
    _f("referrer_organisation", "Referrer organisation", "text", "referrer organisation",
       "referring organisation", "referrer org", "referrer organization"),
    _WORKER,
    _f("contract", "Contract", "contract", "contract", "contract code", "programme",
       "program", "funder"),
    _f("eligibility", "Eligibility", "eligibility", "eligibility", "eligible"),
    _f("eligibility_notes", "Eligibility notes", "text", "eligibility notes", limit=4000),
    _f("first_contact_date", "First contact", "date", "first contact", "first contact date",
       "date first contacted", "first contacted"),
    _f("first_meeting_date", "First meeting", "date", "first meeting", "first meeting date",
       "first appointment", "start date", "date started", "first session"),
    _f("exit_date", "Exit date", "date", "exit date", "discharge date", "end date",
       "closed date", "date closed", "closure date", "date of exit"),
    _f("exit_reason", "Exit reason", "exit_reason", "exit reason", "reason for exit",
       "discharge reason", "closure reason", "reason closed"),
    _f("what_matters", "What matters", "text", "what matters", "what matters to me",
       limit=4000),
    _f("crisis_plan", "Crisis plan", "text", "crisis plan", limit=4000),
)

_EPISODE_LINK = (_PERSON, _EPISODE, _EPISODE_NUMBER)

CONTACTS = (
    _ID, _refs("contact id", "contact ref", "session id", "appointment id", "contact reference"),
    *_EPISODE_LINK,
    _f("contact_date", "Date", "date", "date", "contact date", "session date",
       "appointment date", "date of contact", "date of session", "when", required=True),
    _f("start_time", "Start time", "time", "time", "start time", "appointment time",
       "start"),
    _f("mode", "Mode", "contact_mode", "mode", "type", "contact type", "method",
       "contact method", "contact mode", "how"),
    _f("purpose", "Purpose", "purpose", "purpose", "session type", "reason for contact"),
    _f("venue", "Venue", "text", "venue", "location", "place", "where held"),
    _f("duration_minutes", "Duration (minutes)", "minutes", "duration", "minutes",
       "duration mins", "duration minutes", "length", "mins", "time spent", "duration min"),
    _f("status", "Attended", "contact_status", "status", "attended", "attendance", "outcome",
       "attended dna", "did they attend"),
    _f("note", "Note", "text", "note", "notes", "comments", "comment", "summary",
       "details", "case note", limit=20000),
    _WORKER,
)

GOALS = (
    _ID, _refs("goal id", "goal ref", "goal reference"),
    *_EPISODE_LINK,
    _f("own_words", "Goal (own words)", "text", "goal", "goal in own words", "own words",
       "description", "goal description", "what i want", "goals", required=True, limit=2000),
    _f("category", "Category", "goal_category", "category", "goal category", "goal type",
       "area", "domain", "goal area"),
    _f("agreed_date", "Date agreed", "date", "date agreed", "agreed", "agreed on", "date set",
       "set on", "date", "goal date", "start date", required=True),
    _f("status", "Status", "goal_status", "status", "goal status", "outcome", "progress"),
    _f("status_date", "Status date", "date", "status date", "date achieved", "outcome date",
       "achieved on", "date completed"),
)

SIGNPOSTS = (
    _ID, _refs("signpost id", "signpost ref", "signposting id", "signposting ref"),
    *_EPISODE_LINK,
    _f("service", "Service", "service", "service", "signposted to", "service name",
       "organisation", "referred to", "activity", "group", "provider", required=True),
    _f("signposted_on", "Date", "date", "signposted on", "date signposted", "signpost date",
       "date", "date referred", "signposting date", required=True),
    _f("accompanied", "Accompanied", "bool", "accompanied", "went with", "supported to attend"),
    _f("taken_up", "Took it up", "bool", "taken up", "took up", "took it up", "engaged",
       "attended", "uptake"),
    _f("taken_up_on", "Took it up on", "date", "taken up on", "took up on", "date taken up",
       "uptake date"),
    _f("note", "Note", "text", "note", "notes", "comments", limit=20000),
)

MAX_ANSWERS = 30


def _answer(number: int) -> Field:
    spellings = (f"q{number}", f"q{number:02d}", f"item {number}", f"item{number:02d}",
                 f"question {number}", f"answer {number}", f"i{number}", f"a{number}",
                 f"wemwbs {number}", f"swemwbs {number}", f"ons4 {number}", f"ons {number}")
    return _f(f"answer_{number}", f"Answer {number}", "answer", *spellings)


MEASURES = (
    _ID, _refs("form id", "measure id", "questionnaire id", "assessment id"),
    *_EPISODE_LINK,
    _f("instrument", "Instrument", "instrument", "instrument", "measure", "questionnaire",
       "scale", "tool", "form", "measure type", required=True),
    _f("timepoint", "Timepoint", "timepoint", "timepoint", "time point", "when", "review",
       "stage", "assessment point"),
    _f("completed_on", "Date completed", "date", "completed on", "date completed", "date",
       "assessment date", "completed", "date of assessment", required=True),
    _f("mode", "Completed how", "measure_mode", "mode", "completed how", "completion mode"),
    _f("total", "Total (checked)", "number", "total", "score", "total score", "wemwbs score",
       "swemwbs score", "raw score",
       help="If given, checked against the score of the answers (not stored)."),
    *(_answer(n) for n in range(1, MAX_ANSWERS + 1)),
)

SERVICES = (
    _ID, _refs("service id", "service ref", "directory id"),
    _f("name", "Name", "text", "name", "service", "service name", "organisation", "group",
       "activity", "organisation name", required=True),
    _f("category", "Category", "service_category", "category", "type", "service type",
       "service category"),
    _f("description", "Description", "text", "description", "about", "details",
       "what it offers", limit=4000),
    _f("venue", "Venue", "text", "venue", "location", "where"),
    _f("address", "Address", "text", "address", "address line 1", limit=300),
    _f("postcode", "Postcode", "postcode", "post code", "postcode", "post-code"),
    _f("times", "Times", "text", "times", "opening times", "days times", "schedule",
       "when it runs", "days", "sessions", limit=300),
    _f("contact_name", "Contact name", "text", "contact", "contact name", "contact person"),
    _f("phone", "Phone", "text", "phone", "telephone", "tel", "phone number", limit=40),
    _f("email", "Email", "email", "email", "e-mail", "email address"),
    _f("website", "Website", "text", "website", "web", "url", "web address", "web site",
       limit=300),
    _f("accessibility", "Accessibility", "text", "accessibility", "access", "wheelchair access",
       limit=4000),
    _f("last_checked", "Last checked", "date", "last checked", "checked", "date checked",
       "last updated", "verified", "last verified"),
    _f("active", "Active", "bool", "active", "current", "running", "is active"),
)

CATALOGUE: dict[str, tuple[Field, ...]] = {
    "people": PEOPLE,
    "episodes": EPISODES,
    "contacts": CONTACTS,
    "goals": GOALS,
    "signposts": SIGNPOSTS,
    "measures": MEASURES,
    "services": SERVICES,
}
KINDS = tuple(CATALOGUE)
KIND_LABELS = {
    "people": "People", "episodes": "Journeys (referrals)", "contacts": "Contacts",
    "goals": "Goals", "signposts": "Signposting", "measures": "Wellbeing measures",
    "services": "Directory services",
}
# Alternatives: at least one field of each group must be mapped.
NEEDS_ONE_OF: dict[str, tuple[tuple[str, ...], ...]] = {
    "people": (("given_name", "full_name"), ("family_name", "full_name")),
    "episodes": (("person",),),
    "contacts": (("person", "episode"),),
    "goals": (("person", "episode"),),
    "signposts": (("person", "episode"),),
    "measures": (("person", "episode"), ("answer_1",)),
}


def check_kind(kind: str) -> str:
    key = (kind or "").strip().casefold()
    aliases = {"person": "people", "episode": "episodes", "journeys": "episodes",
               "referrals": "episodes", "contact": "contacts", "goal": "goals",
               "signposting": "signposts", "signpost": "signposts", "measure": "measures",
               "wellbeing": "measures", "service": "services", "directory": "services"}
    key = aliases.get(key, key)
    if key not in CATALOGUE:
        raise UserError(f"Unknown kind of import {kind!r}: use one of {', '.join(KINDS)}.")
    return key


def fields_of(kind: str) -> dict[str, Field]:
    return {f.name: f for f in CATALOGUE[check_kind(kind)]}


def _spellings(kind: str) -> dict[str, str]:
    """Squashed spelling -> field name, first field wins (catalogue order is priority)."""
    table: dict[str, str] = {}
    for f in CATALOGUE[kind]:
        for spelling in (f.name, f.label, *f.synonyms):
            table.setdefault(squash(spelling), f.name)
    return table


_PREFIXES = ("client", "person", "serviceuser", "participant", "patient", "clients")


def match_header(kind: str, header: str, fuzzy: bool = True) -> str | None:
    """The field a header most likely names, or None."""
    table = _SPELLINGS[kind]
    key = squash(header)
    if not key:
        return None
    if key in table:
        return table[key]
    for prefix in _PREFIXES:
        if key.startswith(prefix) and key[len(prefix):] in table:
            return table[key[len(prefix):]]
    if fuzzy and len(key) >= 5:
        close = difflib.get_close_matches(key, [k for k in table if len(k) >= 5], n=1,
                                          cutoff=0.86)
        if close:
            return table[close[0]]
    return None


_SPELLINGS = {kind: _spellings(kind) for kind in CATALOGUE}


def header_score(kind: str):  # a readers.HeaderScore
    """How many cells of a candidate header row name a field of ``kind`` (exact spellings)."""
    def score(texts: list[str]) -> int:
        return len({match_header(kind, t, fuzzy=False) for t in texts} - {None})

    return score


@dataclass
class ColumnMapping:
    """Header -> field name (or None: the column is not imported)."""

    kind: str
    columns: dict[str, str | None] = field(default_factory=dict)

    def header_for(self) -> dict[str, str]:
        """Field -> the header mapped to it."""
        return {f: h for h, f in self.columns.items() if f}

    def set(self, header: str, field_name: str | None) -> None:
        """Map ``header`` to ``field_name``; a field is only ever mapped from one column."""
        if field_name is not None and field_name not in fields_of(self.kind):
            raise UserError(f"{field_name!r} is not a field of a {self.kind} import.")
        if field_name is not None:
            for other, mapped in self.columns.items():
                if mapped == field_name and other != header:
                    self.columns[other] = None
        self.columns[header] = field_name

    def missing(self) -> list[str]:
        """Labels of what must be mapped but is not (empty when the mapping is usable)."""
        mapped = set(self.header_for())
        catalogue = fields_of(self.kind)
        missing = [f.label for f in catalogue.values() if f.required and f.name not in mapped]
        for group in NEEDS_ONE_OF.get(self.kind, ()):
            if not mapped & set(group):
                missing.append(" or ".join(catalogue[name].label for name in group))
        return missing

    def to_json(self) -> str:
        return json.dumps({"linkworker_mapping": 1, "kind": self.kind, "columns": self.columns},
                          indent=2, ensure_ascii=False)


def guess_mapping(kind: str, headers: list[str] | tuple[str, ...],
                  given: ColumnMapping | None = None) -> ColumnMapping:
    """Map each header to a field: ``given`` first, then exact spellings, then near misses."""
    kind = check_kind(kind)
    mapping = ColumnMapping(kind, dict.fromkeys(headers))
    taken: set[str] = set()
    if given is not None:
        for header in headers:
            wanted = given.columns.get(header, "unset")
            if wanted != "unset":
                mapping.columns[header] = wanted
                taken.add(wanted or "")
    for fuzzy in (False, True):
        for header in headers:
            if header in (given.columns if given else {}) or mapping.columns[header]:
                continue
            found = match_header(kind, header, fuzzy=fuzzy)
            if found and found not in taken:
                mapping.columns[header] = found
                taken.add(found)
    return mapping


def save_mapping(mapping: ColumnMapping, path: Path | str) -> Path:
    path = Path(path)
    atomic_write_text(path, mapping.to_json() + "\n")
    return path


def load_mapping(path: Path | str, kind: str | None = None) -> ColumnMapping:
    """Read a mapping file; a clear error if it is not one, or is for another kind."""
    path = Path(path)
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UserError(f"There is no mapping file at {path}.") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UserError(f"{path.name} is not a LinkWorker mapping file (it is not JSON).") from None
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise UserError(f"{path.name} is not a LinkWorker mapping file (no \"columns\").")
    file_kind = check_kind(str(data.get("kind", kind or "")))
    if kind is not None and check_kind(kind) != file_kind:
        raise UserError(f"{path.name} is a mapping for {file_kind}, not {check_kind(kind)}.")
    mapping = ColumnMapping(file_kind)
    known = fields_of(file_kind)
    for header, name in data["columns"].items():
        if name is not None and name not in known:
            raise UserError(f"{path.name}: column {header!r} maps to {name!r}, which is not a "
                            f"field of a {file_kind} import.")
        mapping.columns[str(header)] = name
    return mapping
