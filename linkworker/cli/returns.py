"""``linkworker return``, ``linkworker contract`` and ``linkworker cohort``: returns from a script.

    linkworker contract check FILE             check a contract file, listing every problem
    linkworker contract add FILE               install it (or update the contract with its code)
    linkworker contract list
    linkworker return --contract CODE --period 2026-Q3 --out return.xlsx [--out cover.pdf]
    linkworker return --contract CODE --period 2026-Q3 --out return.xlsx --submit
    linkworker return --contract CODE --adjust 2026-Q3:12 --reason "..." [--amount -50]
    linkworker return --contract CODE --list
    linkworker cohort export --contract CODE --out cohort.csv
    linkworker cohort import --contract CODE results.csv [--outcome SCC]
    linkworker returns verify q3.document.json   check a return's content hash (no caseload)

A team with a hub builds and submits its returns there, with the same options:
``linkworker hub return ... --by MANAGER --url ...`` (``cli/hub.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

from linkworker.access import Actor, require
from linkworker.cli import no_sign_in
from linkworker.errors import UserError
from linkworker.outcomes.contract import read_contract_file
from linkworker.outcomes.store import find_contract, list_contracts, save_contract
from linkworker.returns.export import FORMATS, format_of
from linkworker.storage.database import Caseload
from linkworker.validation import format_money, parse_date


def register(subparsers: argparse._SubParsersAction) -> None:
    ret = subparsers.add_parser(
        "return", help="build, export or submit an outcome return",
        description="Build the outcome return for a contract and period and export it "
                    f"({', '.join(FORMATS)}, chosen by each --out extension).")
    add_return_arguments(ret)
    ret.set_defaults(func=run_return)

    con = subparsers.add_parser("contract", help="check, add and list outcome contracts")
    sub = con.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, text in (("check", "check a contract file"), ("add", "add or update a contract")):
        p = sub.add_parser(name, help=text)
        p.add_argument("file", type=Path)
    sub.add_parser("list", help="list the contracts in the caseload")
    con.set_defaults(func=run_contract)

    coh = subparsers.add_parser("cohort", help="external outcomes: cohort out, results in")
    sub = coh.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = sub.add_parser("export", help="write the consented cohort for matching")
    p.add_argument("--contract", required=True)
    p.add_argument("--out", required=True, type=Path)
    p = sub.add_parser("import", help="load the commissioner's per-person results")
    p.add_argument("--contract", required=True)
    p.add_argument("file", type=Path)
    p.add_argument("--outcome", help="outcome id, if the file has no outcome_id column")
    coh.set_defaults(func=run_cohort)

    rets = subparsers.add_parser("returns", help="check a return document's content hash")
    sub = rets.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = sub.add_parser("verify", help="check that a return document was not altered (no "
                       "caseload needed): NAME.document.json, from 'return ... --out'")
    p.add_argument("file", type=Path)
    p.set_defaults(func=run_returns_verify)


def add_return_arguments(ret: argparse.ArgumentParser) -> None:
    """The options of a return, the same on a laptop (``return``) and at a hub (``hub return``)."""
    ret.add_argument("--contract", required=True, metavar="FILE_OR_CODE",
                     help="the contract's code or id, or a contract file already added")
    ret.add_argument("--period", metavar="PERIOD",
                     help="2026-Q3 (default: the last full quarter), 2026-07, or a range "
                          "2026-07-01..2026-09-30")
    ret.add_argument("--out", action="append", type=Path, default=[], metavar="PATH",
                     help="file to write; repeat for several formats")
    ret.add_argument("--submit", action="store_true",
                     help="lock the return into the claims ledger (cannot be undone)")
    ret.add_argument("--as-of", metavar="DATE", help="treat this as today (dd/mm/yyyy or ISO)")
    ret.add_argument("--list", action="store_true", help="list the submitted returns")
    ret.add_argument("--adjust", metavar="PERIOD:LINE",
                     help="record an adjustment to a submitted claim, for the next return")
    ret.add_argument("--amount", help="adjustment amount in pounds, e.g. -50.00 (default: "
                     "reverse the whole claim)")
    ret.add_argument("--reason", help="why the adjustment is made (required with --adjust)")


def _contract_ref(session, value: str):
    """A contract by code/id, or by the code inside a contract file already added."""
    path = Path(value)
    if path.suffix.lower() == ".json" and path.exists():
        return find_contract(session, str(read_contract_file(path).get("code", value)))
    return find_contract(session, value)


def _as_of(text: str | None) -> dt.date | None:
    return parse_date(text, allow_serial=False) if text else None


def _check_writable(paths: list[Path]) -> None:
    """Refuse before anything is built or submitted if an --out cannot be written: a scratch
    file is made (and removed) in its folder, the same way the export will write."""
    for path in paths:
        if format_of(path) not in FORMATS:
            raise UserError(f"{path}: returns export as {', '.join(FORMATS)}, chosen by the "
                            "file's extension.")
        try:
            if path.is_dir():
                raise UserError(f"{path} is a folder; give a file name such as return.xlsx.")
            if len(path.name.encode("utf-8")) > 250:
                raise UserError(f"The file name {path.name[:40]}... is too long.")
            folder = path.parent
            while not folder.exists() and folder != folder.parent:
                folder = folder.parent
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            raise UserError(f"Cannot write {path}: {exc.strerror or exc}.") from None


def _list_returns(args: argparse.Namespace, caseload: Caseload, actor: Actor) -> int:
    """Each submitted return with its tamper check, printed as it is checked (a read: the
    list never waits for, or holds up, the app's writes)."""
    from linkworker.returns.submit import list_returns

    require(actor, "return.build")  # the ledger's money is a manager's to see
    with caseload.reading() as session:
        for r in list_returns(session, _contract_ref(session, args.contract)):
            print(f"{r.period:<12} submitted {r.submitted_on} by {r.submitted_by}: "
                  f"{r.claims} claims, {format_money(r.net)}  {r.content_hash[:16]} "
                  f"{'checks' if r.hash_checks else 'DOES NOT CHECK: altered since submitted'}",
                  flush=True)
    return 0


def _ledger_action(args: argparse.Namespace, caseload: Caseload, actor: Actor) -> int:
    from linkworker.returns.submit import add_adjustment

    if args.list:
        return _list_returns(args, caseload, actor)
    with caseload.transaction() as session:
        contract = _contract_ref(session, args.contract)
        if not args.reason:
            raise UserError("--adjust needs --reason (the commissioner reads it).")
        adj = add_adjustment(session, actor, contract, args.adjust, reason=args.reason,
                             amount=args.amount)
        print(f"Adjustment of {format_money(adj.amount)} to {args.adjust} recorded; it goes "
              "into the next return submitted.")
    return 0


def run_return(args: argparse.Namespace, open_caseload) -> int:
    with open_caseload() as caseload:
        return return_command(caseload, args.actor, args)


def return_command(caseload: Caseload, actor: Actor, args: argparse.Namespace) -> int:
    """Build (or submit) through ``returns.flow``, as the screen does, so the build is audited;
    files are written only after a submit has committed, so none says SUBMITTED wrongly.
    ``caseload`` is a laptop's file or the team's hub (``hub return``): the same steps."""
    from linkworker.returns import flow
    from linkworker.returns.period import parse_period, previous_quarter

    if args.list or args.adjust:
        return _ledger_action(args, caseload, actor)
    _check_writable(args.out)
    period = parse_period(args.period or previous_quarter(_as_of(args.as_of))).label
    with caseload.reading() as session:
        code = _contract_ref(session, args.contract).code
    if args.submit:
        doc = flow.submit(caseload, actor, code, period, None, as_of=_as_of(args.as_of))
    else:
        doc = flow.prepare(caseload, actor, code, period, as_of=_as_of(args.as_of))
    for path in args.out:
        try:
            flow.export(caseload, actor, doc, path)
        except UserError as exc:
            if not doc.is_submitted:
                raise
            raise UserError(f"The {period} return WAS submitted, but {exc} Write the file "
                            "again with the same command without --submit: a submitted "
                            "return regenerates exactly.") from None
    t = doc.totals
    blocking = sum(1 for q in doc.data_quality if q.blocks)
    state = "SUBMITTED" if doc.is_submitted else "draft"
    print(f"{doc.contract.code} {doc.period.label} ({state}): {t.claims} claims "
          f"for {t.people} people, net {format_money(t.net, doc.contract.currency)}; "
          f"{len(doc.data_quality)} data-quality issues ({blocking} blocking).")
    for path in args.out:
        print(f"wrote {path}")
    return 0


def run_contract(args: argparse.Namespace, open_caseload) -> int:
    if args.action == "list":
        with open_caseload() as caseload, caseload.reading() as session:
            for c in list_contracts(session):
                print(f"{c.code:<20} {c.name}  ({c.start} to {c.end}; {c.outcomes} outcomes, "
                      f"{c.episodes} journeys, {c.returns_submitted} returns, "
                      f"{format_money(c.claimed_amount)} claimed)")
        return 0
    data = read_contract_file(args.file)
    if args.action == "check":
        from linkworker.outcomes.contract import parse_contract

        parsed = parse_contract(data, source=args.file.name)
        print(f"{args.file.name}: OK - {parsed.code}, {len(parsed.outcomes)} outcomes "
              f"({', '.join(parsed.outcome_ids)}).")
        return 0
    with open_caseload() as caseload, caseload.transaction() as session:
        row = save_contract(session, args.actor, data, source=args.file.name)
        print(f"Contract {row.code} saved.")
    return 0


def run_cohort(args: argparse.Namespace, open_caseload) -> int:
    from linkworker.outcomes.external import export_cohort, import_results

    with open_caseload() as caseload, caseload.transaction() as session:
        contract = _contract_ref(session, args.contract)
        if args.action == "export":
            count = export_cohort(session, args.actor, contract, args.out)
            print(f"wrote {args.out}: {count} consented people.")
        else:
            result = import_results(session, args.actor, contract, args.file, outcome=args.outcome)
            print(f"{args.file.name}: {result.created} results added, {result.updated} updated.")
    return 0


def _what(data: dict) -> str:
    """"TEST-SIB 2026-Q3 (submitted)", from whatever the file holds."""
    def text(*keys: str) -> str:
        value = data
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return str(value)[:40] if value is not None else "?"

    return f"{text('contract', 'code')} {text('period', 'label')} ({text('status')})"


@no_sign_in
def run_returns_verify(args: argparse.Namespace, _open_caseload) -> int:
    """Needs only the file: an auditor or commissioner holds no caseload. Exit 0 when the
    content hash is the one the document's content gives, 1 when it is not."""
    from linkworker.returns.content_hash import read_document, verify

    data = read_document(args.file)
    verdict = verify(data)
    if verdict.ok:
        how = (f"rule {verdict.rule}" if verdict.declared else
               f"no hash_rule in the file, so made before it existed: rule {verdict.rule}")
        print(f"{args.file.name}: {_what(data)}: content hash {verdict.stored} checks "
              f"({how}, {verdict.rule_name}).")
        return 0
    how = f"by its rule {verdict.rule}" if verdict.declared else "by any rule"
    print(f"linkworker: {args.file.name}: {_what(data)}: its content does not give its stored "
          f"hash {verdict.stored[:16]}... {how}: it was altered after it was made.",
          file=sys.stderr)
    return 1
