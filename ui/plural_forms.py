"""Plural forms in the translation files: ``python ui/plural_forms.py CY_TS EN_TS``.

Qt writes a counted phrase once in the source ("%Ln person(s)", with the count passed as
``n``) and each language's file gives its forms; English is no exception (Qt's documented way).
PySide's lupdate only notices a plural when the count is a literal number, so this marks every
message whose source holds ``%n``/``%Ln`` as plural in the Welsh template (translations already
made are kept), and writes the English file: just those messages, with their two English forms.
``make translations`` runs it between lupdate and lrelease; ``ui.i18n.install`` always loads
the compiled ``linkworker_en.qm``.

No Qt here: it edits XML text, so it also runs where no display is available.
"""

from __future__ import annotations

import copy
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

COUNTED = re.compile(r"%L?n")
IRREGULAR = {"person": "people"}  # plurals that are not "+s"
SINGULAR_VERBS = {"block": "blocks"}  # "1 issue blocks", "2 issues block"


def english_forms(source: str) -> tuple[str, str]:
    """("%Ln day(s) overdue") -> ("%Ln day overdue", "%Ln days overdue")."""
    def plural(match: re.Match[str]) -> str:
        return IRREGULAR.get(match.group(1).lower(), match.group(1) + "s")

    one = re.sub(r"(\w+)\(s\)", r"\1", source)
    for verb, singular in SINGULAR_VERBS.items():
        one = re.sub(rf"(\(s\)|\w) {verb}\b", rf"\1 {singular}", one)
    return one, re.sub(r"(\w+)\(s\)", plural, source)


def _counted(message: ET.Element) -> bool:
    return bool(COUNTED.search(message.findtext("source", "")))


def mark_plurals(template: Path) -> int:
    """Make every counted message of ``template`` a plural one; how many there are."""
    tree = ET.parse(template)
    counted = [m for m in tree.iter("message") if _counted(m)]
    for message in counted:
        translation = message.find("translation")
        if message.get("numerus") != "yes":
            message.set("numerus", "yes")
            text = translation.text or ""
            translation.text = None
            ET.SubElement(translation, "numerusform").text = text
    _write(tree, template)
    return len(counted)


def english(template: Path, target: Path) -> int:
    """Write ``target``: the template's counted messages with their English forms."""
    tree = ET.parse(template)
    root = tree.getroot()
    out = ET.Element("TS", {**root.attrib, "language": "en_GB"})
    for context in root.iter("context"):
        messages = [m for m in context.iter("message") if _counted(m)]
        if not messages:
            continue
        holder = ET.SubElement(out, "context")
        ET.SubElement(holder, "name").text = context.findtext("name")
        for message in messages:
            kept = ET.SubElement(holder, "message", {"numerus": "yes"})
            kept.append(copy.deepcopy(message.find("source")))
            translation = ET.SubElement(kept, "translation")
            for text in english_forms(message.findtext("source", "")):
                ET.SubElement(translation, "numerusform").text = text
    _write(ET.ElementTree(out), target)
    return sum(1 for _ in out.iter("message"))


def _write(tree: ET.ElementTree, path: Path) -> None:
    ET.indent(tree)
    body = ET.tostring(tree.getroot(), encoding="unicode")
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n",
                    encoding="utf-8")


if __name__ == "__main__":
    welsh, english_ts = Path(sys.argv[1]), Path(sys.argv[2])
    print(f"{welsh}: {mark_plurals(welsh)} plural messages")
    print(f"{english_ts}: {english(welsh, english_ts)} English plurals")
