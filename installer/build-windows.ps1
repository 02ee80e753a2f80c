<#
.SYNOPSIS
  Build LinkWorker's Windows installer: dist\LinkWorker-<version>-setup.exe.

.DESCRIPTION
  Run from the repository root on a 64-bit Windows 10/11 machine:

      powershell -ExecutionPolicy Bypass -File installer\build-windows.ps1

  Needs: Python 3.11 64-bit from python.org (the "py" launcher) and NSIS 3
  (https://nsis.sourceforge.io, or `winget install NSIS.NSIS`). No admin rights needed.

  Steps (each stops the script on failure):
    1. a fresh virtual environment in build\venv-windows;
    2. the pinned, hashed dependencies of installer\requirements-windows.lock
       (pip --require-hashes), then LinkWorker itself without dependencies;
    3. PyInstaller with installer\linkworker.spec -> dist\LinkWorker\ holding
       LinkWorker.exe (windowed) and linkworker-cli.exe (console, for scripts);
    4. a smoke test of the frozen console app: --version, init, a demo return;
    5. installer\nsis_manifest.py: the file list and the version (pyproject's) for NSIS;
    6. makensis installer\linkworker.nsi -> dist\LinkWorker-<version>-setup.exe.

  The installer is per-user (no admin), installs to %LOCALAPPDATA%\Programs\LinkWorker,
  and its uninstaller removes only the files it installed: the caseload and backups in
  %LOCALAPPDATA%\LinkWorker are never touched. Sign setup.exe and the two .exe files with the
  charity's code-signing certificate (signtool) if it has one, before handing it out.
#>
[CmdletBinding()]
param(
  [string]$Python = "py",
  [string]$PythonVersion = "-3.11",
  [switch]$SkipSmokeTest
)
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root
$Venv = Join-Path $Root "build\venv-windows"
$VenvPython = Join-Path $Venv "Scripts\python.exe"

function Step([string]$Title) { Write-Host "== $Title" -ForegroundColor Cyan }
function Run([string]$Exe, [string[]]$Arguments) {
  & $Exe @Arguments
  if ($LASTEXITCODE -ne 0) { throw "$Exe $($Arguments -join ' ') failed (exit $LASTEXITCODE)" }
}

Step "1. virtual environment ($Venv)"
if (Test-Path $Venv) { Remove-Item -Recurse -Force $Venv }
Run $Python @($PythonVersion, "-m", "venv", $Venv)
Run $VenvPython @("-m", "pip", "install", "--quiet", "--upgrade", "pip")

Step "2. pinned dependencies (installer\requirements-windows.lock), then LinkWorker"
Run $VenvPython @("-m", "pip", "install", "--quiet", "--require-hashes", "--only-binary=:all:",
                  "-r", "installer\requirements-windows.lock")
Run $VenvPython @("-m", "pip", "install", "--quiet", "--no-deps", ".")
$Version = (& $VenvPython -c "from importlib.metadata import version; print(version('linkworker'))").Trim()
Write-Host "LinkWorker $Version"

Step "3. PyInstaller"
Run $VenvPython @("-m", "PyInstaller", "--noconfirm", "--clean", "installer\linkworker.spec")
$Bundle = Join-Path $Root "dist\LinkWorker"
foreach ($Exe in @("LinkWorker.exe", "linkworker-cli.exe")) {
  if (-not (Test-Path (Join-Path $Bundle $Exe))) { throw "The build has no $Exe" }
}

if (-not $SkipSmokeTest) {
  Step "4. smoke test of the frozen console app"
  $Scratch = Join-Path $env:TEMP ("linkworker-smoke-" + [guid]::NewGuid())
  New-Item -ItemType Directory $Scratch | Out-Null
  $env:LINKWORKER_HOME = $Scratch
  $env:LINKWORKER_PASSPHRASE = "smoke test passphrase"
  $env:QT_QPA_PLATFORM = "offscreen"
  try {
    $Cli = Join-Path $Bundle "linkworker-cli.exe"
    $Said = (& $Cli --version).Trim()
    if ($Said -ne "linkworker $Version") { throw "--version said '$Said'" }
    Run $Cli @("--db", "$Scratch\caseload.db", "demo", "--people", "40", "--quiet")
    Run $Cli @("--db", "$Scratch\caseload.db", "return", "--contract", "SAMPLE-SP-SIB",
               "--period", "2026-Q3", "--out", "$Scratch\return.pdf")
  } finally {
    Remove-Item Env:\LINKWORKER_HOME, Env:\LINKWORKER_PASSPHRASE, Env:\QT_QPA_PLATFORM
    Remove-Item -Recurse -Force $Scratch
  }
}

Step "5. installer manifest (file list and version for NSIS)"
Run $VenvPython @("installer\nsis_manifest.py", $Bundle, "build\nsis\manifest.nsh")

Step "6. NSIS"
$MakeNsis = (Get-Command makensis -ErrorAction SilentlyContinue).Source
if (-not $MakeNsis) {
  foreach ($Dir in @(${env:ProgramFiles(x86)}, $env:ProgramFiles)) {
    if ($Dir -and (Test-Path "$Dir\NSIS\makensis.exe")) { $MakeNsis = "$Dir\NSIS\makensis.exe" }
  }
}
if (-not $MakeNsis) { throw "makensis not found: install NSIS 3 (winget install NSIS.NSIS)" }
Run $MakeNsis @("/V2", "installer\linkworker.nsi")
Write-Host "Built dist\LinkWorker-$Version-setup.exe" -ForegroundColor Green
