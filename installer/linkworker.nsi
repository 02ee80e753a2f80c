; LinkWorker's per-user Windows installer (no admin rights needed).
;
; Built by installer/build-windows.ps1 after PyInstaller; by hand:
;   python installer/nsis_manifest.py dist/LinkWorker build/nsis/manifest.nsh
;   makensis installer/linkworker.nsi
; The manifest lists every file of the Windows build and carries the version (pyproject's):
; the uninstaller removes exactly those files, never a whole folder, so the caseload, its backups
; and anything a user saved beside the program survive an uninstall or an upgrade.
Unicode true
ManifestDPIAware true
RequestExecutionLevel user
SetCompressor /SOLID lzma

!define APPNAME "LinkWorker"
!define PUBLISHER "LinkWorker contributors"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APPNAME}"
; Where the app keeps the caseload (platformdirs' user_data_dir): never installed into.
!define DATA_DIR "$LOCALAPPDATA\${APPNAME}"
!ifndef MANIFEST
  !define MANIFEST "..\build\nsis\manifest.nsh"
!endif

!if /FileExists "${MANIFEST}"
  !include "${MANIFEST}"
!else
  !error "No Windows build: ${MANIFEST} is missing. Build LinkWorker on Windows with installer\build-windows.ps1 (it runs PyInstaller, then installer\nsis_manifest.py, then makensis). A Linux build is never wrapped into a Windows installer."
!endif
!ifndef OUTFILE
  !define OUTFILE "..\dist\${APPNAME}-${VERSION}-setup.exe"
!endif

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "TextFunc.nsh"
!include "WordFunc.nsh"

Name "${APPNAME} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APPNAME}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${APPNAME} ${VERSION}"

!define MUI_ICON "..\resources\icons\linkworker.ico"
!define MUI_UNICON "..\resources\icons\linkworker.ico"
!define MUI_ABORTWARNING
!define MUI_LICENSEPAGE_TEXT_TOP "LinkWorker is free software under the GNU Affero General Public License, version 3 or later."
!insertmacro MUI_PAGE_LICENSE "..\LICENSE"
!define MUI_PAGE_CUSTOMFUNCTION_LEAVE CheckInstallDir
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\LinkWorker.exe"
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

VIProductVersion "${VERSION_4}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductName" "${APPNAME}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "LegalCopyright" "AGPL-3.0-or-later"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileDescription" "${APPNAME} ${VERSION} setup"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductVersion" "${VERSION}"

; --- the app must not be running while its files are replaced or removed ------------------
; A running .exe cannot be opened for writing on Windows: no plug-in or app change needed.
!macro WAIT_UNTIL_CLOSED UN
Function ${UN}WaitUntilClosed
  retry:
  ${If} ${FileExists} "$INSTDIR\LinkWorker.exe"
    ClearErrors
    FileOpen $0 "$INSTDIR\LinkWorker.exe" a
    ${If} ${Errors}
      MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "LinkWorker is running. Close it (your work is saved as you go), then choose Retry." /SD IDCANCEL IDRETRY retry
      Quit
    ${EndIf}
    FileClose $0
  ${EndIf}
  ${If} ${FileExists} "$INSTDIR\linkworker-cli.exe"
    ClearErrors
    FileOpen $0 "$INSTDIR\linkworker-cli.exe" a
    ${If} ${Errors}
      MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "A LinkWorker command is running (linkworker-cli). Let it finish, then choose Retry." /SD IDCANCEL IDRETRY retry
      Quit
    ${EndIf}
    FileClose $0
  ${EndIf}
FunctionEnd
!macroend
!insertmacro WAIT_UNTIL_CLOSED ""
!insertmacro WAIT_UNTIL_CLOSED "un."

; --- never into the data folder, never over someone else's files --------------------------
; $R0 = "" if $INSTDIR is fine, else the reason.
Function CheckInstallDirReason
  StrCpy $R0 ""
  StrLen $1 "${DATA_DIR}"
  StrCpy $2 "$INSTDIR" $1
  StrCpy $3 "$INSTDIR" "" $1
  StrCpy $3 $3 1
  ${If} $2 == "${DATA_DIR}"  ; == ignores case, as Windows paths do
    ${If} $3 == ""
    ${OrIf} $3 == "\"
      StrCpy $R0 "$INSTDIR is in LinkWorker's data folder (your caseload and backups). Choose another folder, for example $LOCALAPPDATA\Programs\${APPNAME}."
      Return
    ${EndIf}
  ${EndIf}
  ${If} ${FileExists} "$INSTDIR\caseload.db"
  ${OrIf} ${FileExists} "$INSTDIR\caseload.db.key"
  ${OrIf} ${FileExists} "$INSTDIR\backups\*.*"
    StrCpy $R0 "$INSTDIR holds a caseload or backups. Install the program somewhere else, for example $LOCALAPPDATA\Programs\${APPNAME}."
    Return
  ${EndIf}
  ; A folder with files in it must be an earlier LinkWorker (its uninstaller is there).
  ${If} ${FileExists} "$INSTDIR\*.*"
  ${AndIfNot} ${FileExists} "$INSTDIR\Uninstall.exe"
    FindFirst $4 $5 "$INSTDIR\*.*"
    ${DoUntil} $5 == ""
      ${If} $5 != "."
      ${AndIf} $5 != ".."
        StrCpy $R0 "$INSTDIR already holds other files. Choose an empty folder or the folder of an earlier LinkWorker."
        ${Break}
      ${EndIf}
      FindNext $4 $5
    ${Loop}
    FindClose $4
  ${EndIf}
FunctionEnd

Function CheckInstallDir
  Call CheckInstallDirReason
  ${If} $R0 != ""
    MessageBox MB_OK|MB_ICONSTOP "$R0"
    Abort
  ${EndIf}
FunctionEnd

Function .onInit
  ${If} ${Silent}  ; no directory page: check /D=... here
    Call CheckInstallDirReason
    ${If} $R0 != ""
      MessageBox MB_OK|MB_ICONSTOP "$R0" /SD IDOK
      Quit
    ${EndIf}
  ${EndIf}
FunctionEnd

; --- removing an earlier version (an upgrade) ---------------------------------------------
; $R9 = the earlier version's folder. From 0.2 on it holds LinkWorker.files, the exact list of
; what that version installed (files, then folders deepest first): each is deleted, folders
; only if empty. LinkWorker 0.1's setup.exe wrote no list; its known layout is the PyInstaller
; folder (the LinkWorker program, everything under _internal) and Uninstall.exe. Nothing else
; in the folder (a caseload, backups, a user's files) is touched.
Function RemovePrevious
  ${If} ${FileExists} "$R9\LinkWorker.files"
    ClearErrors
    FileOpen $0 "$R9\LinkWorker.files" r
    ${IfNot} ${Errors}
      ${Do}
        ClearErrors
        FileRead $0 $1
        ${If} ${Errors}
          ${Break}
        ${EndIf}
        ${TrimNewLines} "$1" $1
        StrCpy $2 $1 1
        ClearErrors
        ${WordFind} "$1" ".." "E*" $3  ; never outside the folder
        ${If} $1 == ""
        ${OrIf} $2 == "\"
        ${OrIfNot} ${Errors}
          ${Continue}
        ${EndIf}
        StrCpy $2 $1 1 -1
        ${If} $2 == "\"
          RMDir "$R9\$1"
        ${Else}
          Delete "$R9\$1"
        ${EndIf}
      ${Loop}
      FileClose $0
    ${EndIf}
    Delete "$R9\LinkWorker.files"
  ${ElseIf} ${FileExists} "$R9\Uninstall.exe"
  ${AndIf} ${FileExists} "$R9\_internal\*.*"
    Delete "$R9\LinkWorker"
    Delete "$R9\LinkWorker.exe"
    StrCpy $R8 "$R9\_internal"
    Call EmptyBundleFolder
  ${EndIf}
  Delete "$R9\Uninstall.exe"
  ${If} $R9 != "$INSTDIR"
    RMDir "$R9"
  ${EndIf}
FunctionEnd

; Empty $R8 (a folder inside 0.1's _internal) file by file, then remove it if nothing is left.
Function EmptyBundleFolder
  Push $R7
  Push $R6
  FindFirst $R7 $R6 "$R8\*.*"
  ${DoUntil} $R6 == ""
    ${If} $R6 != "."
    ${AndIf} $R6 != ".."
      ${If} ${FileExists} "$R8\$R6\*.*"
        Push $R8
        StrCpy $R8 "$R8\$R6"
        Call EmptyBundleFolder
        Pop $R8
      ${Else}
        Delete "$R8\$R6"
      ${EndIf}
    ${EndIf}
    FindNext $R7 $R6
  ${Loop}
  FindClose $R7
  RMDir "$R8"
  Pop $R6
  Pop $R7
FunctionEnd

Section "LinkWorker" SecMain
  SectionIn RO
  Call WaitUntilClosed
  ; An upgrade: the earlier version's program files are removed here, never by running its
  ; uninstaller (0.1's deletes its whole folder, RMDir /r, with any caseload or backups in it).
  ReadRegStr $R9 HKCU "${UNINSTALL_KEY}" "UninstallString"
  ${If} $R9 != ""
    ${WordReplace} $R9 '"' "" "+" $R9
    ${GetParent} $R9 $R9
    ${If} $R9 != "$INSTDIR"
      Call RemovePrevious
    ${EndIf}
  ${EndIf}
  StrCpy $R9 "$INSTDIR"
  Call RemovePrevious
  !insertmacro INSTALL_FILES
  SetOutPath "$INSTDIR"
  File "/oname=LinkWorker.files" "${FILE_LIST}"
  WriteUninstaller "$INSTDIR\Uninstall.exe"
  CreateDirectory "$SMPROGRAMS\${APPNAME}"
  CreateShortcut "$SMPROGRAMS\${APPNAME}\${APPNAME}.lnk" "$INSTDIR\LinkWorker.exe" "" "$INSTDIR\LinkWorker.exe" 0
  CreateShortcut "$DESKTOP\${APPNAME}.lnk" "$INSTDIR\LinkWorker.exe" "" "$INSTDIR\LinkWorker.exe" 0
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\LinkWorker.exe"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\Uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\Uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  Call un.WaitUntilClosed
  ; Exactly the files this version installed; folders only if they are then empty. The
  ; caseload and its backups live in ${DATA_DIR} and are never touched here.
  !insertmacro UNINSTALL_FILES
  Delete "$INSTDIR\LinkWorker.files"
  Delete "$INSTDIR\Uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$DESKTOP\${APPNAME}.lnk"
  Delete "$SMPROGRAMS\${APPNAME}\${APPNAME}.lnk"
  RMDir "$SMPROGRAMS\${APPNAME}"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd
