"""Write the installer's manifest: the exact files of a Windows build, and the version.

``python installer/nsis_manifest.py [dist/LinkWorker] [build/nsis/manifest.nsh]``

``linkworker.nsi`` includes the result. Listing every file (rather than ``File /r`` and
``RMDir /r``) is what lets the uninstaller remove exactly what it installed and nothing else:
a caseload, a backup or anything a user saved into the program folder stays. The version comes
from the installed package's metadata, i.e. pyproject.toml, so it is typed in one place.

Refuses a bundle without the two Windows executables: a Linux build must never be wrapped into
a setup.exe whose shortcuts point at nothing.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path, PureWindowsPath

ROOT = Path(__file__).resolve().parent.parent
EXECUTABLES = ("LinkWorker.exe", "linkworker-cli.exe")


class NotAWindowsBuild(Exception):
    pass


def four_part(version: str) -> str:
    """Windows wants N.N.N.N (VIProductVersion); "0.2.0rc1" -> "0.2.0.0"."""
    parts = (re.split(r"[.+-]", version) + ["0"] * 4)[:4]
    return ".".join(str(int(p)) if p.isdigit() else "0" for p in parts)


def _inst(relative: PureWindowsPath) -> str:
    return "$INSTDIR" if str(relative) == "." else f"$INSTDIR\\{relative}"


def manifest(bundle: Path, version: str) -> str:
    """The NSIS text: defines, then INSTALL_FILES and UNINSTALL_FILES macros."""
    missing = [name for name in EXECUTABLES if not (bundle / name).is_file()]
    if missing:
        raise NotAWindowsBuild(
            f"No Windows build in {bundle}: {', '.join(missing)} missing. Build on Windows "
            "with installer/build-windows.ps1 (PyInstaller makes Linux executables on Linux).")
    files = sorted(p for p in bundle.rglob("*") if p.is_file())
    parents = {PureWindowsPath(*p.relative_to(bundle).parent.parts) for p in files}
    parents |= {ancestor for folder in parents for ancestor in folder.parents}
    folders = sorted(parents, key=lambda f: (len(f.parts), str(f)))
    lines = [f'!define VERSION "{version}"', f'!define VERSION_4 "{four_part(version)}"',
             f"!define FILE_COUNT {len(files)}", "", "!macro INSTALL_FILES"]
    for folder in folders:
        inside = [p for p in files if PureWindowsPath(*p.relative_to(bundle).parent.parts)
                  == folder]
        if inside:
            lines.append(f'  SetOutPath "{_inst(folder)}"')
            lines += [f'  File "{p}"' for p in inside]
    lines += ["!macroend", "", "!macro UNINSTALL_FILES"]
    lines += [f'  Delete "{_inst(PureWindowsPath(*p.relative_to(bundle).parts))}"'
              for p in files]
    # Deepest first, and never /r: a folder the user put something in is left standing.
    lines += [f'  RMDir "{_inst(f)}"' for f in reversed(folders) if str(f) != "."]
    lines += ["!macroend", ""]
    return "\n".join(lines)


def file_list(bundle: Path) -> str:
    """``LinkWorker.files``: what an upgrade removes (relative paths, Windows separators)."""
    files = sorted(PureWindowsPath(*p.relative_to(bundle).parts)
                   for p in bundle.rglob("*") if p.is_file())
    folders = {f for p in files for f in p.parents if str(f) != "."}
    deepest = sorted(folders, key=lambda f: (-len(f.parts), str(f)))
    return "".join(f"{f}\r\n" for f in files) + "".join(f"{f}\\\r\n" for f in deepest)


def main(argv: list[str]) -> int:
    bundle = Path(argv[0]) if argv else ROOT / "dist" / "LinkWorker"
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "build" / "nsis" / "manifest.nsh"
    try:
        text = manifest(bundle.resolve(), metadata.version("linkworker"))
    except NotAWindowsBuild as exc:
        print(f"nsis_manifest: {exc}", file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    listing = out.resolve().with_name("LinkWorker.files")
    listing.write_text(file_list(bundle.resolve()), encoding="utf-8", newline="")
    text += f'!define FILE_LIST "{listing}"\n'
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out} ({text.count(chr(10) + '  File ')} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
