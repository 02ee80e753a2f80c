"""What an IT volunteer meets: ``python -m linkworker``, ``--help`` that leaves no trace, one
version, a licence that matches pyproject, and a log in the platform's log folder that tells
the story of a session without naming anyone."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import platformdirs
import pytest
from conftest import cli_sign_in_demo
from sqlalchemy import select

from linkworker import __version__, accounts, launch, logs
from linkworker.cli import main
from linkworker.models import Person
from linkworker.paths import log_dir
from linkworker.storage import keys
from linkworker.storage.database import Caseload

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def _bare_env(home: Path) -> dict[str, str]:
    """A first-run user: a fresh HOME, no LinkWorker or XDG folders set."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("XDG_", "LINKWORKER_")) and k != "MPLCONFIGDIR"}
    env.update(HOME=str(home), PYTHONDONTWRITEBYTECODE="1")
    return env


@pytest.mark.parametrize("argv", [["--help"], ["init", "--help"], ["--version"]])
def test_help_and_version_leave_no_files_behind(tmp_path, argv):
    home = tmp_path / "home"
    home.mkdir()
    done = subprocess.run([sys.executable, "-m", "linkworker", *argv], env=_bare_env(home),
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "linkworker" in done.stdout
    assert sorted(p.relative_to(home).as_posix() for p in home.rglob("*")) == []


def test_version_comes_from_pyproject_only():
    assert __version__ == PYPROJECT["project"]["version"]
    done = subprocess.run([sys.executable, "-m", "linkworker", "--version"],
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == f"linkworker {__version__}"
    nsis = (ROOT / "installer" / "linkworker.nsi").read_text("utf-8")
    assert __version__ not in nsis  # the build script passes it in: /DVERSION=...


def test_licence_file_is_the_agpl_named_in_pyproject():
    assert PYPROJECT["project"]["license"] == {"text": "AGPL-3.0-or-later"}
    text = (ROOT / "LICENSE").read_text("utf-8")
    assert "GNU AFFERO GENERAL PUBLIC LICENSE" in text and "Version 3, 19 November 2007" in text
    assert "13. Remote Network Interaction" in text  # the full text, not a pointer to it
    assert "(at your option) any later version" in text


def test_logs_go_to_the_platform_log_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("LINKWORKER_HOME")
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    expected = Path(platformdirs.user_log_dir("LinkWorker", appauthor=False))
    assert str(expected).startswith(str(tmp_path))
    assert log_dir(create=False) == expected and not expected.exists()
    assert logs.log_file() == expected / "linkworker.log" and expected.is_dir()


def test_a_session_log_says_what_happened_and_names_nobody(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "correct horse battery")
    db = tmp_path / "demo.db"
    try:
        assert main(["--db", str(db), "demo", "--people", "25", "--quiet"]) == 0
        with Caseload.open(db) as caseload:
            with caseload.reading() as session:
                people = session.execute(select(Person.given_name, Person.family_name)).all()
            worker = accounts.sign_in(caseload, "worker1", "demo")
            with pytest.raises(accounts.SignInFailed):  # a person's name in the username box
                accounts.sign_in(caseload, f"{people[0][0]} {people[0][1]}", "demo")
            accounts.sign_out(caseload, worker)
        cli_sign_in_demo(monkeypatch, "manager")  # commands sign in as a user
        assert main(["--db", str(db), "export", str(tmp_path / "out")]) == 0
        assert main(["--db", str(db), "sar", "LW-999999", "--out", str(tmp_path)]) == 2
    finally:
        logs.shutdown()
    text = logs.log_file().read_text("utf-8")
    for expected in ("command demo started", "caseload opened", "demo.generate", "sign_in user by",
                     "sign_in_failed", "export everything", "command export finished",
                     "command sar refused: NotFound"):
        assert expected in text, expected
    names = {name for row in people for name in row if name and len(name) > 3}
    assert len(names) > 20
    assert [name for name in names if name in text] == []
    assert "worker1" not in text  # staff usernames stay in the encrypted audit trail


# --- the Windows installer ----------------------------------------------------------------


def _installer_module(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "installer" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fake_windows_build(folder: Path, *names: str) -> Path:
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"MZ fake " + name.encode())
    return folder


WINDOWS_BUILD = ("LinkWorker.exe", "linkworker-cli.exe", "_internal/python311.dll",
                 "_internal/PySide6/plugins/platforms/qwindows.dll", "_internal/base_library.zip")


def test_manifest_removes_exactly_what_it_installed(tmp_path):
    nsis = _installer_module("nsis_manifest")
    text = nsis.manifest(_fake_windows_build(tmp_path, *WINDOWS_BUILD), "1.2.0rc1")
    assert '!define VERSION "1.2.0rc1"' in text and '!define VERSION_4 "1.2.0.0"' in text
    assert text.count('  File "') == len(WINDOWS_BUILD)
    deletes = [line.strip() for line in text.splitlines() if line.strip().startswith("Delete")]
    assert sorted(deletes) == sorted(
        f'Delete "$INSTDIR\\{name.replace("/", chr(92))}"' for name in WINDOWS_BUILD)
    rmdirs = [line.strip() for line in text.splitlines() if "RMDir" in line]
    assert rmdirs == ['RMDir "$INSTDIR\\_internal\\PySide6\\plugins\\platforms"',
                      'RMDir "$INSTDIR\\_internal\\PySide6\\plugins"',
                      'RMDir "$INSTDIR\\_internal\\PySide6"', 'RMDir "$INSTDIR\\_internal"']


def test_manifest_refuses_a_linux_build(tmp_path):
    nsis = _installer_module("nsis_manifest")
    linux = _fake_windows_build(tmp_path, "LinkWorker", "linkworker-cli", "_internal/libQt6.so")
    with pytest.raises(nsis.NotAWindowsBuild, match="No Windows build.*LinkWorker.exe"):
        nsis.manifest(linux, "0.1.0")


def test_installer_script_is_per_user_and_keeps_the_data():
    script = (ROOT / "installer" / "linkworker.nsi").read_text("utf-8")
    assert "RequestExecutionLevel user" in script
    assert 'InstallDir "$LOCALAPPDATA\\Programs\\${APPNAME}"' in script
    commands = [line.split(";")[0] for line in script.splitlines()]
    assert not [line for line in commands if " /r" in line]  # no RMDir /r, no File /r
    assert "caseload.db" in script and "data folder" in script  # refuses the data folder
    assert "WaitUntilClosed" in script and "MUI_PAGE_LICENSE" in script
    spec = (ROOT / "installer" / "linkworker.spec").read_text("utf-8")
    assert "console=True" in spec and "console=False" in spec
    names = _installer_module("nsis_manifest").EXECUTABLES
    assert len({name.lower() for name in names}) == 2  # Windows ignores case in file names


@pytest.mark.skipif(shutil.which("makensis") is None, reason="NSIS not installed")
def test_nsis_compiles_a_windows_build_and_refuses_anything_else(tmp_path):
    nsis = _installer_module("nsis_manifest")
    bundle = _fake_windows_build(tmp_path / "LinkWorker", *WINDOWS_BUILD)
    manifest = tmp_path / "manifest.nsh"
    assert nsis.main([str(bundle), str(manifest)]) == 0
    setup = tmp_path / "LinkWorker-test-setup.exe"
    script = str(ROOT / "installer" / "linkworker.nsi")
    done = subprocess.run(["makensis", "-V2", f"-DMANIFEST={manifest}", f"-DOUTFILE={setup}",
                           script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert setup.read_bytes()[:2] == b"MZ"
    refused = subprocess.run(["makensis", "-V2", f"-DMANIFEST={tmp_path / 'none.nsh'}",
                              f"-DOUTFILE={tmp_path / 'no.exe'}", script],
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode != 0 and "No Windows build" in refused.stdout + refused.stderr
    assert not (tmp_path / "no.exe").exists()


def test_the_file_list_names_files_then_folders_deepest_first(tmp_path):
    nsis = _installer_module("nsis_manifest")
    listing = nsis.file_list(_fake_windows_build(tmp_path, *WINDOWS_BUILD)).split("\r\n")
    assert set(listing[:len(WINDOWS_BUILD)]) == {name.replace("/", "\\") for name in WINDOWS_BUILD}
    assert listing[len(WINDOWS_BUILD):] == [
        "_internal\\PySide6\\plugins\\platforms\\", "_internal\\PySide6\\plugins\\",
        "_internal\\PySide6\\", "_internal\\", ""]


def test_an_upgrade_never_runs_the_earlier_uninstaller():
    """0.1's uninstaller deletes its whole folder (RMDir /r): the new setup removes the old
    program files itself, by LinkWorker.files or 0.1's known layout."""
    script = (ROOT / "installer" / "linkworker.nsi").read_text("utf-8")
    commands = [line.split(";")[0] for line in script.splitlines()]
    assert not [line for line in commands if line.strip().startswith("Exec")]  # runs nothing
    assert "Call RemovePrevious" in script and 'File "/oname=LinkWorker.files"' in script
    old = script[script.index("${ElseIf} ${FileExists} \"$R9\\Uninstall.exe\""):
                 script.index("FunctionEnd", script.index("Function RemovePrevious"))]
    assert 'StrCpy $R8 "$R9\\_internal"' in old  # 0.1's folder is emptied only in _internal


WINE_OLD_SETUP = """Unicode true
Name "LinkWorker 0.1.0"
OutFile "{out}"
InstallDir "$LOCALAPPDATA\\Programs\\LinkWorker"
RequestExecutionLevel user
Section "Install"
  SetOutPath "$INSTDIR"
  File /r "{bundle}\\*.*"
  WriteUninstaller "$INSTDIR\\Uninstall.exe"
  WriteRegStr HKCU "Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\LinkWorker" \
"UninstallString" "$INSTDIR\\Uninstall.exe"
SectionEnd
Section "Uninstall"
  RMDir /r "$INSTDIR"
SectionEnd
"""  # the install part of LinkWorker 0.1's linkworker.nsi (git 2fa47ea^), shortcuts left out


def _wine(prefix: Path, *argv: str) -> None:
    env = {**os.environ, "WINEPREFIX": str(prefix), "WINEDEBUG": "-all", "DISPLAY": ""}
    subprocess.run(["wine", *argv], env=env, check=True, capture_output=True, timeout=300)


def _new_setup(tmp_path: Path, name: str, *files: str) -> Path:
    nsis = _installer_module("nsis_manifest")
    bundle = _fake_windows_build(tmp_path / name / "LinkWorker", *files)
    assert nsis.main([str(bundle), str(tmp_path / name / "manifest.nsh")]) == 0
    setup = tmp_path / name / "setup.exe"
    subprocess.run(["makensis", "-V1", "-XTarget amd64-unicode",
                    f"-DMANIFEST={tmp_path / name / 'manifest.nsh'}", f"-DOUTFILE={setup}",
                    str(ROOT / "installer" / "linkworker.nsi")], check=True, timeout=300)
    return setup


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("makensis") and shutil.which("wine")),
                    reason="needs NSIS and Wine")
def test_upgrading_from_0_1_in_the_data_folder_keeps_the_caseload(tmp_path):
    """Under Wine (64-bit installers): 0.1 installed into the data folder, a caseload and
    backups beside it; the new setup removes 0.1's program files, keeps the data, installs
    into Programs; a second upgrade removes files the new version dropped and keeps a user's
    file; the uninstaller removes only its own files."""
    old_bundle = _fake_windows_build(tmp_path / "old", "LinkWorker", "_internal/libQt6.so",
                                     "_internal/PySide6/plugins/x.so")
    (tmp_path / "old.nsi").write_text(WINE_OLD_SETUP.format(
        out=tmp_path / "old-setup.exe", bundle=old_bundle), "utf-8")
    subprocess.run(["makensis", "-V1", "-XTarget amd64-unicode", str(tmp_path / "old.nsi")],
                   check=True, timeout=300)
    prefix = tmp_path / "wine"
    _wine(prefix, "wineboot", "-i")
    local = next((prefix / "drive_c" / "users").glob("*/AppData/Local"))
    windows_local = "C:\\users\\" + local.parent.parent.name + "\\AppData\\Local"
    _wine(prefix, str(tmp_path / "old-setup.exe"), "/S", f"/D={windows_local}\\LinkWorker")
    data = local / "LinkWorker"
    assert (data / "Uninstall.exe").exists() and (data / "_internal" / "libQt6.so").exists()
    (data / "caseload.db").write_bytes(b"the caseload")
    (data / "backups").mkdir()
    (data / "backups" / "caseload-2026-11-30.db").write_bytes(b"a backup")

    _wine(prefix, str(_new_setup(tmp_path, "v2", *WINDOWS_BUILD)), "/S")
    assert sorted(str(p.relative_to(data)) for p in data.rglob("*")) == [
        "backups", "backups/caseload-2026-11-30.db", "caseload.db"]
    program = local / "Programs" / "LinkWorker"
    assert (program / "LinkWorker.exe").exists() and (program / "LinkWorker.files").exists()

    (program / "my notes.txt").write_text("mine", "utf-8")
    third = [name for name in WINDOWS_BUILD if "qwindows" not in name] + ["_internal/new.dll"]
    _wine(prefix, str(_new_setup(tmp_path, "v3", *third)), "/S")
    assert not (program / "_internal" / "PySide6").exists()  # dropped by v3, removed
    assert (program / "_internal" / "new.dll").exists() and (program / "my notes.txt").exists()

    _wine(prefix, str(program / "Uninstall.exe"), "/S", f"_?={windows_local}\\Programs\\LinkWorker")
    # Run in place (_?=), an uninstaller cannot delete itself; from Apps & features it can.
    assert sorted(p.name for p in program.rglob("*")) == ["Uninstall.exe", "my notes.txt"]
    assert (data / "caseload.db").read_bytes() == b"the caseload"


# --- Linux: the libraries Qt needs for a real display --------------------------------------


def _loader_without(*absent: str):
    def load(name: str) -> object:
        if name in absent:
            raise OSError(f"{name}: cannot open shared object file")
        return object()
    return load


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
def test_a_missing_xcb_library_is_named_with_its_package():
    problem = launch.display_problem({"DISPLAY": ":0"}, _loader_without("libxcb-cursor.so.0"))
    assert problem == ("cannot open the window: the system library libxcb-cursor.so.0 is "
                       "missing. On Debian or Ubuntu: sudo apt install libxcb-cursor0")
    # Offscreen and Wayland do not use the xcb plugin, so its libraries are not asked for.
    assert launch.display_problem({"QT_QPA_PLATFORM": "offscreen"},
                                  _loader_without("libxcb-cursor.so.0")) is None
    assert launch.display_problem({"WAYLAND_DISPLAY": "wayland-0"},
                                  _loader_without("libxcb-cursor.so.0")) is None
    assert "libEGL.so.1" in launch.display_problem({"QT_QPA_PLATFORM": "offscreen"},
                                                   _loader_without("libEGL.so.1"))
    assert "DISPLAY is not set" in launch.display_problem({}, _loader_without())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
def test_the_app_says_which_library_is_missing_instead_of_aborting(tmp_path):
    """A real start: an unloadable libxcb-cursor.so.0 first on the library path stands in for
    a machine without it (Qt itself would abort with a core dump and not name it)."""
    broken = tmp_path / "lib"
    broken.mkdir()
    (broken / "libxcb-cursor.so.0").write_bytes(b"")
    env = {**os.environ, "LD_LIBRARY_PATH": str(broken), "QT_QPA_PLATFORM": "xcb",
           "DISPLAY": ":0"}
    done = subprocess.run([sys.executable, "-m", "linkworker", "--db", str(tmp_path / "c.db")],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 3
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "libxcb-cursor.so.0" in lines[0] and "libxcb-cursor0" in lines[0]
    assert not (tmp_path / "c.db").exists()


def _needed(library: Path) -> set[str]:
    out = subprocess.run(["readelf", "-d", str(library)], capture_output=True, text=True).stdout
    return {line.split("[")[1].split("]")[0] for line in out.splitlines() if "(NEEDED)" in line}


@pytest.mark.skipif(shutil.which("readelf") is None or not sys.platform.startswith("linux"),
                    reason="needs binutils' readelf on Linux")
def test_the_library_list_covers_what_the_installed_qt_needs():
    import PySide6

    qt = Path(PySide6.__file__).parent / "Qt"
    shipped = {p.name for p in (qt / "lib").iterdir()}
    needed: set[str] = set()
    for library in ("lib/libQt6Core.so.6", "lib/libQt6Gui.so.6", "lib/libQt6Widgets.so.6",
                    "lib/libQt6DBus.so.6", "lib/libQt6XcbQpa.so.6",
                    "plugins/platforms/libqxcb.so"):
        needed |= _needed(qt / library)
    system = {name for name in needed - shipped
              if not name.startswith(("libc.so", "libm.so", "libstdc++", "libgcc_s", "ld-linux",
                                      "libpthread", "libdl.so", "librt.so"))}
    known = set(launch.QT_LIBRARIES) | set(launch.XCB_LIBRARIES)
    assert system - known == set()
    readme = (ROOT / "README.md").read_text("utf-8")
    packages = set(launch.QT_LIBRARIES.values()) | set(launch.XCB_LIBRARIES.values())
    assert [package for package in sorted(packages) if package not in readme] == []


def test_every_window_carries_the_linkworker_icon(qtbot):
    """The taskbar and title bars show LinkWorker's own icon, not a blank one."""
    from ui.app import application

    assert not application().windowIcon().isNull()


def test_the_frozen_entry_runs_an_export_worker_before_loading_the_app():
    """The export's workers are the frozen executable spawned again: ``freeze_support`` must
    run (and end such a start) before the app's own imports and its ``main``."""
    entry = (ROOT / "installer" / "entry.py").read_text("utf-8")
    assert "multiprocessing.freeze_support()" in entry
    assert entry.index("multiprocessing.freeze_support()") < entry.index("from linkworker")
