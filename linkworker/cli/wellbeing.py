"""``linkworker instrument ...`` and ``linkworker wording ...``: instruments and licensed wording.

- ``instrument check FILE``: validate an instrument definition; lists every problem.
- ``instrument add FILE [--replace]``: store an organisation's instrument in the caseload.
- ``instrument list``: the instruments this caseload knows.
- ``instrument score CODE ANSWER...``: score one form (``-`` for a missing answer).
- ``instrument thresholds``: each instrument's change thresholds in force.
- ``instrument threshold CODE --meaningful N [--reliable N] | --default``: set them (admin).
- ``wording load --instrument WEMWBS FILE``: load licensed statement wording (one per line).
- ``wording status`` / ``wording clear --instrument CODE``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from linkworker.access import SYSTEM
from linkworker.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    inst = subparsers.add_parser("instrument", help="check, add, list or score instruments")
    isub = inst.add_subparsers(dest="instrument_command", metavar="ACTION", required=True)
    check = isub.add_parser("check", help="validate an instrument definition file")
    check.add_argument("file", type=Path)
    check.set_defaults(func=run_check)
    add = isub.add_parser("add", help="add an organisation's instrument to the caseload")
    add.add_argument("file", type=Path)
    add.add_argument("--replace", action="store_true", help="update an existing definition")
    add.set_defaults(func=run_add)
    listing = isub.add_parser("list", help="list the instruments this caseload knows")
    listing.set_defaults(func=run_list)
    scoring = isub.add_parser("score", help="score one form: CODE then answers in item order")
    scoring.add_argument("code")
    scoring.add_argument("answers", nargs="+", help="answers in item order; - for a missing one")
    scoring.set_defaults(func=run_score)
    shown = isub.add_parser("thresholds", help="the change thresholds in force, per instrument")
    shown.set_defaults(func=run_thresholds)
    limit = isub.add_parser("threshold", help="set an instrument's change thresholds (admin)")
    limit.add_argument("code", help="e.g. WEMWBS")
    which = limit.add_mutually_exclusive_group(required=True)
    which.add_argument("--meaningful", type=float, metavar="N",
                       help="change that counts as improved/deteriorated")
    which.add_argument("--default", action="store_true",
                       help="go back to the instrument's own thresholds")
    limit.add_argument("--reliable", type=float, metavar="N",
                       help="reliable change (left out: the instrument's own)")
    limit.set_defaults(func=run_threshold)

    wording = subparsers.add_parser("wording", help="load licensed statement wording (admin)")
    wsub = wording.add_subparsers(dest="wording_command", metavar="ACTION", required=True)
    load = wsub.add_parser("load", help="load wording from a UTF-8 text file, one per line")
    load.add_argument("--instrument", required=True, help="e.g. WEMWBS or SWEMWBS")
    load.add_argument("file", type=Path)
    load.set_defaults(func=run_wording_load)
    status = wsub.add_parser("status", help="which instruments have wording loaded")
    status.set_defaults(func=run_wording_status)
    clear = wsub.add_parser("clear", help="remove loaded wording")
    clear.add_argument("--instrument", required=True)
    clear.set_defaults(func=run_wording_clear)


def run_check(args: argparse.Namespace, open_caseload) -> int:
    from linkworker.wellbeing.custom import check_instrument_file

    instrument = check_instrument_file(args.file)
    print(
        f"{args.file}: valid. {instrument.code} ({instrument.name}): {instrument.item_count} "
        f"items answered {instrument.answer_min} to {instrument.answer_max}, "
        f"scored by {instrument.scoring}, meaningful change {instrument.meaningful_change:g}."
    )
    return 0


def run_add(args: argparse.Namespace, open_caseload) -> int:
    from linkworker.wellbeing.custom import add_instrument

    with open_caseload() as caseload:
        instrument = add_instrument(caseload, SYSTEM, args.file, replace=args.replace)
    print(f"Added {instrument.code} ({instrument.name}) to {caseload.path.name}.")
    return 0


def run_list(args: argparse.Namespace, open_caseload) -> int:
    from linkworker.wellbeing.custom import instrument_summaries

    with open_caseload() as caseload:
        rows = instrument_summaries(caseload)
    print(f"{'Code':<12} {'Items':>5}  {'Answers':<9} {'Scoring':<7} {'Forms':>6}  Name")
    for r in rows:
        origin = "" if r.builtin else "  (organisation's own)"
        print(f"{r.code:<12} {r.items:>5}  {r.answers:<9} {r.scoring:<7} "
              f"{r.forms_recorded:>6}  {r.name}{origin}")
    return 0


def _threshold_line(t) -> str:  # a ThresholdSetting
    reliable = "none" if t.reliable is None else f"{t.reliable:g}"
    if not t.overridden:
        origin = "instrument's own"
    else:
        own = "none" if t.default_reliable is None else f"{t.default_reliable:g}"
        origin = f"set by an admin (instrument's own: {t.default_meaningful:g} / {own})"
    return f"{t.code:<12} {t.meaningful:>10g} {reliable:>9}  {origin}; {t.unit}"


def run_thresholds(args: argparse.Namespace, open_caseload) -> int:
    from linkworker.wellbeing.thresholds import list_thresholds

    with open_caseload() as caseload:
        rows = list_thresholds(caseload)
    print(f"{'Code':<12} {'Meaningful':>10} {'Reliable':>9}  Source")
    for t in rows:
        print(_threshold_line(t))
    return 0


def run_threshold(args: argparse.Namespace, open_caseload) -> int:
    from linkworker.wellbeing.thresholds import clear_change_thresholds, set_change_thresholds

    if args.default and args.reliable is not None:
        raise UserError("Use --default on its own: it puts both thresholds back.")
    with open_caseload() as caseload:
        if args.default:
            now = clear_change_thresholds(caseload, SYSTEM, args.code)
        else:
            now = set_change_thresholds(caseload, SYSTEM, args.code, args.meaningful,
                                        args.reliable)
    print(_threshold_line(now))
    return 0


def _parse_answer(text: str) -> int | None:
    if text in {"-", "", "none", "None"}:
        return None
    try:
        return int(text)
    except ValueError as exc:
        raise UserError(f"Answer {text!r} is not a whole number (use - for a missing answer).") \
            from exc


def run_score(args: argparse.Namespace, open_caseload) -> int:
    from linkworker.wellbeing import get_instrument, score

    instrument = get_instrument(args.code)
    result = score(instrument, [_parse_answer(a) for a in args.answers])
    if not result.complete:
        missing = ", ".join(str(n) for n in result.missing_items)
        print(f"{instrument.code}: incomplete (unanswered: {missing}); no score.")
    elif instrument.reports_total:
        shown = f"{result.value:.{instrument.score_decimals}f}"
        print(f"{instrument.code}: raw {result.raw}, {instrument.score_name} {shown}")
    else:
        for item in result.items:
            print(f"{item.label}: {item.answer} ({item.band})")
    return 0


def run_wording_load(args: argparse.Namespace, open_caseload) -> int:
    from linkworker.wellbeing.wording import load_wording_file

    with open_caseload() as caseload:
        statements = load_wording_file(caseload, SYSTEM, args.instrument, args.file)
    print(f"Loaded {len(statements)} {args.instrument.upper()} statements; forms now show them.")
    return 0


def run_wording_status(args: argparse.Namespace, open_caseload) -> int:
    from linkworker.wellbeing.wording import wording_statuses

    with open_caseload() as caseload:
        for s in wording_statuses(caseload):
            if not s.loaded:
                state = "not loaded (forms show statement numbers)"
            elif s.via:
                state = f"loaded (from the {s.via} wording)"
            else:
                state = f"loaded on {s.loaded_on} by {s.loaded_by}"
            print(f"{s.instrument:<12} {state}")
    return 0


def run_wording_clear(args: argparse.Namespace, open_caseload) -> int:
    from linkworker.wellbeing.wording import clear_wording

    with open_caseload() as caseload:
        clear_wording(caseload, SYSTEM, args.instrument)
    print(f"Removed the {args.instrument.upper()} wording.")
    return 0
