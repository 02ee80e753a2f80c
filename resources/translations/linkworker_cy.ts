<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="cy_GB">
  <context>
    <name />
    <message>
      <location filename="../../ui/main_window.py" line="+284" />
      <location line="+10" />
      <location line="+10" />
      <location line="+97" />
      <location line="+36" />
      <location line="+14" />
      <location line="+5" />
      <location line="+2" />
      <source>Pages</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>GuideWindow</name>
    <message>
      <location filename="../../ui/guide.py" line="+42" />
      <source>LinkWorker guide</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>User guide</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>MainWindow</name>
    <message>
      <location filename="../../ui/main_window.py" line="-75" />
      <source>&amp;File</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>New &amp;referral…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>&amp;Import…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>&amp;Export everything…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Licensed &amp;wording…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>&amp;Lock</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Sign &amp;out / switch user</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Change my &amp;password…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>&amp;Quit</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Go</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+12" />
      <source>&amp;Person</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Quick &amp;note</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Go to &amp;search</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>&amp;Close record</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>&amp;Help</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;User guide (this screen)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>&amp;About LinkWorker</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>Pages</name>
    <message>
      <location filename="../../ui/i18n.py" line="+81" />
      <location filename="../../ui/main_window.py" line="-328" />
      <source>Today</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+0" />
      <location filename="../../ui/main_window.py" line="+7" />
      <source>My caseload</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <location filename="../../ui/main_window.py" line="+12" />
      <source>Due and overdue</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+0" />
      <location filename="../../ui/main_window.py" line="+7" />
      <source>Directory</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Reports</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+0" />
      <location filename="../../ui/main_window.py" line="+24" />
      <source>Settings</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <location filename="../../ui/main_window.py" line="+17" />
      <source>Drop-in register</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../../ui/main_window.py" line="-34" />
      <source>Outcome returns</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Wellbeing summary</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>Users</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Audit trail</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Contracts</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+23" />
      <source>Record</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>New referral</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Import</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Export everything</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Lock</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Licensed wording</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>admin.audit_view</name>
    <message>
      <location filename="../../ui/admin/audit_view.py" line="+46" />
      <source>When</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Who</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>What</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Person</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Record</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Details</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+184" />
      <source>Reading audit trail</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-116" />
      <source>Filter by username</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>username</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Filter by action</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Any action</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Filter by person reference</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>LW-000123</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>From date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+0" />
      <location line="+3" />
      <source>dd/mm/yyyy</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+0" />
      <source>To date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Show:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>Fil&amp;ter</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Apply filter</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>Audit events</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+10" />
      <source>&amp;Verify the chain</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Verify audit chain</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>&amp;Export as CSV…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Export audit trail</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Audit status</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>Reading audit actions</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+21" />
      <source>{label}: type a date as dd/mm/yyyy.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+39" />
      <source>{total:,} events match.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>1 event matches.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Checking every event…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Verifying the audit trail</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>The audit trail is intact ({events:,} events checked).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>The audit trail has been tampered with at event #{first_bad_seq}: {reason}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+10" />
      <source>Export the audit trail</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>CSV files (*.csv)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+11" />
      <source>Exported {rows:,} events to {path}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Exporting the audit trail</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>admin.audit_words</name>
    <message>
      <location filename="../../ui/admin/audit_words.py" line="+17" />
      <source>Exported the audit trail</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Re-keyed the audit trail</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Made a backup</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Changed a record</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Exported a cohort for matching</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Added a condition</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Removed a condition</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Recorded a consent</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Withdrew a consent</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Corrected a contact</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Recorded a contact</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Withdrew a contact</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Added a contract</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Updated a contract</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Made the demo caseload</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Erased a person</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Exported data</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Exported a wellbeing summary</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Added a goal</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Corrected a goal</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Reviewed a goal</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Added a step to a goal</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Marked a step done</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Withdrew a goal</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Set up the team hub</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Imported data</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Added a wellbeing measure</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Ended a journey</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Started a journey</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Locked the app</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Recorded a wellbeing form</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Added a note</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Changed their password</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Reset a password</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Added a person (referral)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Merged two records</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Undid a merge</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Gave a worker access to a person</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Took back a worker's access</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Restored a backup</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Imported outcome results</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Adjusted a claim</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Built a return</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Exported a return</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Submitted a return</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Added a service</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Changed a service</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Changed a setting</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Signed in</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Sign-in failed</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Signed out</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Signposted to a service</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Recorded a take-up</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Made a subject access copy</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Synced with the team hub</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Exported a sync pack</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Imported a sync pack</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Repaired sync</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Resolved a sync conflict</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Made the team key</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Exported the team key</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Imported the team key</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Recorded an unmet need</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Added a user</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Deactivated a user</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Reactivated a user</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Renamed a user</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Changed a user's role</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Unlocked a user</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Viewed a record</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Changed a wellbeing threshold</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Removed licensed wording</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Loaded licensed wording</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>admin.recovery</name>
    <message>
      <location filename="../../ui/admin/recovery.py" line="+33" />
      <source>Passphrase for the backups</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+25" />
      <location line="+26" />
      <location line="+6" />
      <location line="+129" />
      <location line="+20" />
      <source>LinkWorker</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-180" />
      <source>{problem}

No good backup was found beside {name}. The damaged file has not been changed; ask your data lead to restore one ('linkworker restore PATH').</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+14" />
      <source>&amp;Restore the latest good backup</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+12" />
      <source>The restore failed: {exc}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Restored {people:,} people from {made}. The damaged file is kept at {set_aside}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+24" />
      <source>page {damaged} does not match what was written</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+77" />
      <source>LinkWorker: the caseload is damaged</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>A check found damage in the caseload file ({problems}). Close LinkWorker now and restore the latest good backup?</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+47" />
      <source>The backup on closing failed: {exc}</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>admin.settings_view</name>
    <message>
      <location filename="../../ui/admin/settings_view.py" line="+63" />
      <source>Settings status</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>Reading settings</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Security and keeping data</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+20" />
      <source>&amp;Save settings</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Save settings</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+27" />
      <source>Settings saved.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Nothing had changed.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Saving settings</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>Backups</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>&amp;Restore from a backup…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Restore from a backup</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>&amp;Back up now…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Back up now</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>Back up the caseload to</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <location line="+25" />
      <source>Caseload (*.db)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-20" />
      <source>Backing up…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Backed up and checked: {path} (keep {name}.key with it).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Backing up</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>Restore from</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+10" />
      <source>That backup cannot be restored: {problems}. Nothing was changed.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>Backup passphrase</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>The passphrase this backup was made with:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+12" />
      <source>Checking the backup</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Restore</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Replace the caseload by this backup ({people:,} people)? The current caseload is kept aside, and LinkWorker closes afterwards.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+21" />
      <source>Restoring</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Restored</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Restored {people:,} people. The caseload as it was is kept at {set_aside}. LinkWorker will now close; open it again.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+11" />
      <source>People's data rights</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <location line="+1" />
      <source>Anonymise people past retention</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Subject &amp;access request…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <location line="+21" />
      <location line="+32" />
      <source>Subject access request</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-49" />
      <source>&amp;Erase a person…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <location line="+53" />
      <location line="+6" />
      <source>Erase a person</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-55" />
      <source>Check re&amp;tention</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Check retention</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+12" />
      <location line="+37" />
      <source>The person's reference (e.g. LW-000123):</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-31" />
      <source>Save the record in</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+15" />
      <source>Written to {folder}: {name} for the person, {name2} and {csvs} CSV files.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+22" />
      <source>Why (e.g. 'request by letter 12/03/2026'; not their name). This cannot be undone except from an older backup:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+20" />
      <source>Erased. The record is now the anonymous {reference}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Erasing</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+16" />
      <source>Checking retention</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>Anonymise {due:,} people past retention</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>{due:,} people are past the retention period.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Nobody is past the retention period.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>Retention</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Anonymise {due:,} people past the retention period?</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+14" />
      <source>Anonymised {done:,} people.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Applying retention</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>admin.thresholds_box</name>
    <message>
      <location filename="../../ui/admin/thresholds_box.py" line="+22" />
      <source>Instrument</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Meaningful change</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Reliable change</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Source</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>{code} meaningful change</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>{code} reliable change</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>{code} thresholds source</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Save</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Save {code} thresholds</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Use the instrument's values</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Use the instrument's values for {code}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+27" />
      <source>Instrument's ({own})</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Set here (instrument's own: {default_meaningful:g} / {own})</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Instrument's own values</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+22" />
      <source>Wellbeing change thresholds</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+12" />
      <source>Changes are judged on each person's own baseline and follow-up. A contract's own threshold still decides its payments.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>Change thresholds status</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+10" />
      <source>Reading change thresholds</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+20" />
      <source>{code}: meaningful change {meaningful:g}, reliable change {reliable}. Journey badges were updated.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+12" />
      <source>Saving change thresholds</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>admin.users_view</name>
    <message>
      <location filename="../../ui/admin/users_view.py" line="+31" />
      <location line="+33" />
      <source>Username</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-32" />
      <location line="+33" />
      <source>Name</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-32" />
      <location line="+8" />
      <source>Role</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-7" />
      <location line="+225" />
      <source>Venue</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-224" />
      <source>State</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+20" />
      <source>Add a user</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>They will be asked to choose their own password when they first sign in.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>&amp;Add user</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Venue (coordinators)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>First password</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Repeat first password</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>&amp;Username:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Name:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Role:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Venue:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>First &amp;password:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Re&amp;peat it:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <location line="+49" />
      <source>Add user</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-47" />
      <source>Cancel</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>The two passwords differ.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+16" />
      <source>Adding user</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+17" />
      <source>User accounts</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>&amp;Add user…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>Change r&amp;ole…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <location line="+107" />
      <source>Change role</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-103" />
      <source>&amp;Reset password…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <location line="+136" />
      <source>Reset password</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-132" />
      <source>&amp;Unlock</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Unlock account</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>&amp;Deactivate</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Deactivate account</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Reac&amp;tivate</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Reactivate account</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Users status</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+14" />
      <source>Reading users</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>Active</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Deactivated</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>, locked until {when}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>, must choose a password</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+10" />
      <source>Choose a user in the list first.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+14" />
      <source>Added {username}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+16" />
      <source>Changing user</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+12" />
      <source>Role for {username}:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>Venue they run:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+9" />
      <source>{username} is now a {lower}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+12" />
      <source>A temporary password for {username} (they must change it when they sign in):</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+11" />
      <source>Password reset for {username}; tell them the temporary one.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <location line="+25" />
      <source>{} can sign in again.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-16" />
      <source>Deactivate</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Stop {username} signing in? Their work stays in the caseload.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>{username} can no longer sign in.</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>app</name>
    <message>
      <location filename="../../ui/app.py" line="+96" />
      <location line="+66" />
      <source>LinkWorker</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Something went wrong. Saved work is safe; a crash report without personal data was written to {report}.</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>caseload_view</name>
    <message>
      <location filename="../../ui/caseload_view.py" line="+123" />
      <source>Name</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <location line="+327" />
      <source>Known as</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-322" />
      <location line="+321" />
      <source>Reference</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-319" />
      <source>Age</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <location line="+330" />
      <location line="+235" />
      <source>Stage</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-564" />
      <location line="+330" />
      <source>Worker</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-328" />
      <location line="+336" />
      <source>Next review</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-330" />
      <location line="+336" />
      <source>Wellbeing</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-330" />
      <location line="+308" />
      <source>NHS number</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-306" />
      <location line="+309" />
      <source>Postcode</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-143" />
      <location line="+492" />
      <source>Loading the caseload</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-436" />
      <source>Review overdue</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>{text}, overdue</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+76" />
      <source>Date of birth</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source> (age </source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Gender</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Address</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Phone</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Email</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>GP practice</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <location line="+237" />
      <source>Contract</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-236" />
      <source>Referred</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>First meeting</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source> (overdue)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Contacts</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source> (last </source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Next appointment</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>None booked</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Open goals</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Journeys</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+9" />
      <source>Person summary</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <location line="+34" />
      <source>Choose a person and press Space to see their summary.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-33" />
      <source>Summary heading</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>&amp;Open full record</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Open full record</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>Opening the summary</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+91" />
      <source>Search name, reference, NHS number or postcode (Ctrl+F)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Search the caseload</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>&amp;Search:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>&amp;Worker:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+28" />
      <location line="+1" />
      <source>Clear the search</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+11" />
      <source>Number of people listed</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+31" />
      <source>Latest wellbeing change</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>&amp;Overdue review</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Overdue review only</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Only people whose next review date has passed</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>No &amp;baseline</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>No baseline only</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Met, but no baseline wellbeing measure recorded</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Include e&amp;xited</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Include exited people</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Also list people whose journey has ended</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>C&amp;lear filters</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Clear filters</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+11" />
      <source>Caseload</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+133" />
      <location line="+12" />
      <location line="+161" />
      <location line="+21" />
      <source>Searching</source>
      <translation type="unfinished" />
    </message>
    <message numerus="yes">
      <location line="-500" />
      <location line="+358" />
      <location line="+71" />
      <source>%Ln person(s)</source>
      <translation type="unfinished">
        <numerusform />
      </translation>
    </message>
    <message>
      <location line="-430" />
      <location line="+361" />
      <source>{ids}+ people, counting…</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>core</name>
    <message>
      <location filename="../../ui/core_words.py" line="+52" />
      <source>Yes, an unpaid carer</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>No</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Prefer not to say</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Keep and use my information for my support</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Share updates with my GP</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Share anonymised outcomes with the funder</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Contact me by text message</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Contact me by email</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Match my record with NHS data for evaluation</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Face to face</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Phone</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Video</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Home visit</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Group</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Text message</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Email</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Planned</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Attended</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Did not attend</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Cancelled</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>No answer</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Withdrawn (recorded in error)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Yes, limited a lot</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Yes, limited a little</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Goals met</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Stepped down (planned)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Moved away</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Declined further support</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Did not engage</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Referred to another service</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Died</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Other</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Male</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Female</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Indeterminate</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Not known</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Activity</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Social connection</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Mental wellbeing</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Physical health</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Money and debt</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Housing</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Employment and volunteering</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Learning</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Working on it</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Achieved</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Partly achieved</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Changed</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Dropped</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Chronic obstructive pulmonary disease (COPD)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Asthma</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Type 1 diabetes</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Type 2 diabetes</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Coronary heart disease</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Heart failure</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Epilepsy</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>High blood pressure (hypertension)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Osteoarthritis</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Arthritis (other)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Chronic pain</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Depression</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Anxiety</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Stroke</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Cancer</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Chronic kidney disease</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Obesity</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Other long-term condition</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Loneliness or isolation</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Living with a long-term condition</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Low mood, stress or anxiety</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Money, debt or benefits</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Physical activity</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Caring responsibilities</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Bereavement</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Work, volunteering or learning</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>GP practice</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Self-referral</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Family or friend</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Walk-in</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Another service</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Peer or community group</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Hospital or discharge team</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Social care</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Walking and physical activity</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Befriending and company</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Debt, benefits and money advice</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Arts, crafts and music</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Gardening and green spaces</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Men's sheds and repair</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Carers' support</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Mental health and peer support</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Volunteering</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Learning and digital skills</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Food</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Housing advice</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Health and lifestyle</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Faith and community groups</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Referred</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Contacting</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Active</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Review due</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Exited</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Entered by mistake</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Recorded on the wrong person</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Recorded twice</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Lock the window after this many idle minutes</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Shortest password allowed</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Failed sign-ins before an account is locked</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Daily backups to keep</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Back up when LinkWorker closes</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Years to keep a record after the last journey ended</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>This is a demonstration caseload</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Organisation's name (printed on My plan)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Phone or email people can reach you on</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>White</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>English, Welsh, Scottish, Northern Irish or British</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Irish</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Gypsy or Irish Traveller</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Roma</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Any other White background</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Mixed or Multiple</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>White and Black Caribbean</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>White and Black African</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>White and Asian</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Any other Mixed or Multiple background</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Asian or Asian British</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Indian</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Pakistani</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Bangladeshi</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Chinese</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Any other Asian background</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Black, Black British, Caribbean or African</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Caribbean</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>African</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Any other Black background</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Arab</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Any other ethnic group</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Not stated</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>directory_view</name>
    <message>
      <location filename="../../ui/directory_view.py" line="+41" />
      <source>&amp;Name</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Venue</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Addr&amp;ess</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Post&amp;code</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Times</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Contact name</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Phone</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>E&amp;mail</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Website</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>Directory of services</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+9" />
      <source>Search services</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Search by name, venue or category</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Category filter</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>All categories</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>&amp;Only services to re-check</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Include &amp;inactive</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Services</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Service</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <location line="+19" />
      <source>Category</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-18" />
      <source>Venue</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Times</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Contact</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <location line="+23" />
      <source>Last checked</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-20" />
      <source>Number of services shown</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Service details</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+11" />
      <source>Categor&amp;y</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Description</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Accessibility notes</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Still running (active)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>&amp;Description</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Accessi&amp;bility</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Last chec&amp;ked</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <location line="+1" />
      <source>Save service</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <location line="+1" />
      <source>New service</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Checked today</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Mark the service checked today</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Signpost</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Accompanied introduction</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <location line="+146" />
      <source>Signpost current person</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-145" />
      <source>Signpost the current person</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Import CSV or XLSX...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Import services from a CSV or XLSX file</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Export CSV...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Export the directory as CSV</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Directory status</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+55" />
      <source>{services} service(s) shown; {stale} to re-check (not checked for six months).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+41" />
      <source>Directory</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+18" />
      <source>Service saved</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+16" />
      <source>Signpost {label}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+9" />
      <source>Select a service first.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+9" />
      <source>Signposting recorded</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+9" />
      <source>Import services</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Spreadsheets (*.csv *.xlsx *.xlsm);;All files (*)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+12" />
      <source>Export the directory</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>CSV files (*.csv)</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>dropin_view</name>
    <message>
      <location filename="../../ui/dropin_view.py" line="+86" />
      <source>Drop-in register</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+15" />
      <source>You have no venue set, so there is no drop-in register to show. An admin sets your venue in Settings &gt; Users.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>No venue set</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Drop-in register: {venue}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Venue</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Date of the register</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Find a person at this venue</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Type a name or reference</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>F&amp;ind:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <location line="+9" />
      <source>Attended today</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-3" />
      <source>Name</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Reference</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Last seen here</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>People at this venue</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>What was done</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>&amp;Mark attended (Space)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Mark attended</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Undo today's mark (Delete)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Undo today's mark</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>New self-&amp;referral…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>New self-referral</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Quick &amp;wellbeing form…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Quick wellbeing form</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+33" />
      <source>Loading the register</source>
      <translation type="unfinished" />
    </message>
    <message numerus="yes">
      <location line="+20" />
      <source>%Ln attended today</source>
      <translation type="unfinished">
        <numerusform />
      </translation>
    </message>
    <message>
      <location line="+26" />
      <location line="+37" />
      <source>Choose a person in the list first.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-27" />
      <location line="+4" />
      <source>{name}: {what}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>Saving attendance</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>due_view</name>
    <message>
      <location filename="../../ui/due_view.py" line="+39" />
      <source>Everything due</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Reviews</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Wellbeing measures</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Planned contacts</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>When</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Due</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Person</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Reference</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>What</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Window closes</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+9" />
      <source>Due today</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+19" />
      <source>Week shown</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>How many are due</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Show</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>&amp;Show:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>&amp;Worker:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Due and overdue</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+9" />
      <source>Due by Sunday {sunday}, or overdue.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+21" />
      <source>Finding what is due</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+33" />
      <source>Counting what is due</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Counting tasks</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+27" />
      <source>Counting what is due…</source>
      <translation type="unfinished" />
    </message>
    <message numerus="yes">
      <location line="+5" />
      <source> Also %Ln overdue task(s) on Today.</source>
      <translation type="unfinished">
        <numerusform />
      </translation>
    </message>
    <message>
      <location line="+3" />
      <source>{overdue:,} overdue, {count:,} due this week.{tasks}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Reviews, wellbeing forms and appointments. Tasks (plan steps, first contacts) are on Today (Ctrl+1).</source>
      <translation type="unfinished" />
    </message>
    <message numerus="yes">
      <location line="+32" />
      <source>%Ln item(s)</source>
      <translation type="unfinished">
        <numerusform />
      </translation>
    </message>
  </context>
  <context>
    <name>io.export_dialog</name>
    <message>
      <location filename="../../ui/io/export_dialog.py" line="+30" />
      <source>Export everything into a folder</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+69" />
      <source>Exporting everything...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Export progress</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-38" />
      <source>Export finished</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-8" />
      <source>Export cancelled</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>The export was cancelled. Nothing was written to {folder}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>{counts} tables ({rows:,} rows) were written to {folder} as CSV files and one workbook.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+11" />
      <source>Export failed</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+14" />
      <source>Exporting everything</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>&amp;Cancel export</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Cancel the export</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+11" />
      <source>Cancelling the export...</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>io.import_wizard</name>
    <message>
      <location filename="../../ui/io/import_wizard.py" line="+38" />
      <source>Spreadsheets (*.csv *.xlsx *.xlsm *.txt *.tsv);;All files (*)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+19" />
      <location line="+1" />
      <source>Import from a spreadsheet</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>Message</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Progress</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>&lt; &amp;Back</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Back</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>&amp;Next &gt;</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Next</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>&amp;Import</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Import</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <location line="+171" />
      <source>&amp;Close</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-170" />
      <source>Close</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+19" />
      <source>File to import</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>&amp;Browse...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Choose the file</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>What the rows are</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Sheet</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Encoding of the file</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>(work it out)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>&amp;File:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Rows are:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Sheet:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Encoding:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Import in this order: directory services, people, journeys, then contacts, goals, signposting and measures. Nothing is written until you have seen every problem and what will change.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>The sheet read</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Columns and the fields they hold</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Column in your file</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Imported as</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>First value</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Fields still needed</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>&amp;Save mapping...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Save the mapping to a file</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>&amp;Load mapping...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Load a saved mapping</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Field with the same value for every row</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>The value for every row</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Same &amp;value for every row</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Give every row this value</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>Summary of the check</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Rows with problems</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Row</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Column</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Value</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Problem</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>What will change</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Import the &amp;good rows only</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Import the good rows only</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Save bad rows to &amp;fix...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Save bad rows to fix</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+10" />
      <source>What will change:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>Import result</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+21" />
      <source>&amp;Cancel</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+29" />
      <source>Field for column {header}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+24" />
      <source>{rows:,} rows checked. </source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+24" />
      <source>Choose a spreadsheet</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+19" />
      <source>(the sheet with the data)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+17" />
      <source>Reading</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Checking every row</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+15" />
      <source>Importing</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+48" />
      <source>This file is not saved as UTF-8 and its encoding cannot be told. Choose the encoding whose names look right, then press Next.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>Every row gets that value.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+19" />
      <source>Save the mapping</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <location line="+13" />
      <source>Mapping files (*.json)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-8" />
      <source>Mapping saved to {path}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Load a mapping</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Mapping loaded.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+9" />
      <source>Save the rows to fix</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>CSV files (*.csv)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>The rows to fix were saved to {path}.</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>lock</name>
    <message>
      <location filename="../../ui/lock.py" line="+44" />
      <source>LinkWorker (locked)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+9" />
      <source>Signed out</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+0" />
      <location line="+62" />
      <source>Locked</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-57" />
      <source>You are signed out</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>LinkWorker is locked</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Sign in with your username and password.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Locked for &lt;b&gt;{label}&lt;/b&gt;. Type your password to carry on where you left off. Someone else can sign in with their own username: {label}'s open records then close, and changes not saved are lost.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+10" />
      <location line="+1" />
      <source>Username</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Password to unlock</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Password</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Unlock problem</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Sign &amp;in</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+0" />
      <source>&amp;Unlock</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Sign in</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+0" />
      <source>Unlock</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+28" />
      <source>LinkWorker is locked. Unlock it in the main window.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+50" />
      <source>Reading settings</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+54" />
      <source>Locking</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>Unlocking</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>main_window</name>
    <message>
      <location filename="../../ui/main_window.py" line="+6" />
      <source>Change my password</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Your role does not use this page.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+26" />
      <source>{title} (not for your role)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+40" />
      <source>LinkWorker — {name}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+22" />
      <source>Pages</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+12" />
      <source>{title}: not used by your role</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+15" />
      <source>Open pages and records</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>My caseload</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+23" />
      <source>Signed in as {who} ({role})</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Signed in as</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Progress</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+141" />
      <source>Load &amp;licensed wording…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Load licensed wording</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+52" />
      <source>Opening…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Close with Ctrl+W</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+66" />
      <source>New referral</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+95" />
      <source>Reading caseload facts</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+34" />
      <source>Saved.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+67" />
      <source>Bringing journeys up to date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>A wellbeing instrument could not be loaded: {problem}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Up to date: {stages_moved} reached the review window while LinkWorker was closed and now show as "Review due".</source>
      <translation type="unfinished" />
    </message>
    <message numerus="yes">
      <location line="+4" />
      <source>%Ln journey(s)</source>
      <translation type="unfinished">
        <numerusform />
      </translation>
    </message>
    <message>
      <location line="+14" />
      <source>Counting what is due</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+10" />
      <source>Due and overdue ({overdue})</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Due and overdue</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>operations</name>
    <message>
      <location filename="../../ui/operations.py" line="+224" />
      <source>An admin</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>A manager</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>A link worker</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>A coordinator</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>{who} may not do this ({permission}). Ask a manager or admin if you need to.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Something went wrong and nothing was changed. ({error}; details are in the log.)</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>record.base</name>
    <message>
      <location filename="../../ui/record/base.py" line="+47" />
      <location line="+13" />
      <source>Select a {what} first.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Withdraw the {what}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Why is this {what} withdrawn? It stays on the record marked "withdrawn" and no longer counts; the audit trail keeps who did it and why.</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>record.contacts_tab</name>
    <message>
      <location filename="../../ui/record/contacts_tab.py" line="+19" />
      <source>When</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>How</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Purpose</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Attended</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Venue</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Minutes</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Worker</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Note</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>Contacts</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>New note</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>New contact note</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Mark &amp;attended</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Mark selected appointment attended</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Mark did &amp;not attend</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Mark selected appointment not attended</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>&amp;Correct…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Correct the selected contact</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Withdraw (recorded in &amp;error)…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Withdraw the selected contact, recorded in error</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Selected contact's note</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>record.goals_tab</name>
    <message>
      <location filename="../../ui/record/goals_tab.py" line="+45" />
      <source>Goals, steps and reviews</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Goal / step / review</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Category or who</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <location line="+118" />
      <source>Date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-117" />
      <location line="+119" />
      <source>Status</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-109" />
      <source>Crisis and back-up plan</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>C&amp;risis / back-up plan (who to call, what to do):</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>C&amp;orrect goal…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Correct the selected goal</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Withdraw goal (recorded in &amp;error)…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Withdraw the selected goal, recorded in error</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+14" />
      <source>New goal</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <location line="+194" />
      <source>Goal in the person's own words</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-193" />
      <source>e.g. "Get back to my allotment"</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <location line="+193" />
      <source>Goal category</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-191" />
      <location line="+195" />
      <source>Date the goal was agreed</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-194" />
      <source>First step (optional)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Who does the first step</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>First step due by</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>&amp;Add goal</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+0" />
      <source>Add goal</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <location line="+189" />
      <source>In their &amp;words</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-188" />
      <location line="+189" />
      <source>Ca&amp;tegory</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-188" />
      <source>Agreed o&amp;n</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>F&amp;irst step</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Who wi&amp;ll do it</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Due &amp;by</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>Steps for the selected goal</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Step: what will be done</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Step: who does it</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Step: by when</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Add step</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Add step to the selected goal</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Mark step done today</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Mark the selected step done</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>&amp;Step</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Who will &amp;do it</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Due b&amp;y</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+9" />
      <source>Review the selected goal</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Review date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Progress from 0 to 10</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Goal status at review</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Review note</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Save re&amp;view</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Save goal review</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Progress (0-10)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Note</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+25" />
      <source>{status_label} (journey {episode_number})</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+87" />
      <source>Correct the goal</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+17" />
      <source>Agreed &amp;on</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>record.journey_tab</name>
    <message>
      <location filename="../../ui/record/journey_tab.py" line="+42" />
      <source>Journey summary</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Review timeline</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Review</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Due</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Window</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Where it stands</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Done</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Review timeline (from the contract's schedule):</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>What matters to the person</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>What &amp;matters to them (in their words):</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+11" />
      <source>Journeys</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Journey</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Referred</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <location line="+63" />
      <source>Source</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-62" />
      <source>Worker</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Stage</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Ended</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <location line="+23" />
      <source>Exit reason</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-19" />
      <source>All journeys:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>First meeting</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Date of first meeting</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <location line="+1" />
      <source>Record first meeting</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>End the journey</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Choose a reason</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Exit date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>E&amp;xit journey</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Exit journey</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>Re-referral: start a new journey for this person</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>New referral date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Referral source</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Choose a source</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Reasons for the new referral</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Referrer's name</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Start new &amp;journey</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Start a new journey</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Referral date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Reasons</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Referrer</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+16" />
      <source>No journey recorded.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>&lt;b&gt;{title}&lt;/b&gt; - stage: &lt;b&gt;{stage_label}&lt;/b&gt;</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>, month {month} of the journey</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Referred {referral_date} by {source}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>unknown</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>. Reasons: </source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Worker: {worker_name}. Contract: {contract}. Eligibility: {eligibility}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>none</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>not checked</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>First contact: {first_contact}. First meeting: {first_meeting}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <location line="+2" />
      <source>not yet</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source> Ended {exit_date}: {reason}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+63" />
      <source>Choose an exit reason first.</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>record.notes_tab</name>
    <message>
      <location filename="../../ui/record/notes_tab.py" line="+20" />
      <source>Notes</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Title</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Author</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Journey</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Note</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Selected note</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Note title</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>e.g. Letter from GP</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Note text</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <location line="+1" />
      <source>Add note</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>&amp;Title</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Note te&amp;xt</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>record.profile_tab</name>
    <message>
      <location filename="../../ui/record/profile_tab.py" line="+31" />
      <source>Phone calls</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Text messages</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <location line="+39" />
      <source>Email</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-38" />
      <source>Letters</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+20" />
      <source>Given name</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Family name</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <location line="+22" />
      <source>Preferred name</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-20" />
      <source>Date of birth</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>NHS number</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>10 digits</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Address line 1</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <location line="+17" />
      <source>Address line 2</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-16" />
      <source>Town</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Postcode</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>NE4 5AB</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <location line="+14" />
      <source>Phone</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-12" />
      <source>GP practice</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Given &amp;name</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Fa&amp;mily name</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Date of &amp;birth</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>NHS n&amp;umber</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Address</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>To&amp;wn</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Post&amp;code</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>&amp;Email</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>GP pract&amp;ice</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Gender</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <location line="+8" />
      <location line="+5" />
      <location line="+5" />
      <source>Not recorded</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-15" />
      <source>Gender in their own words</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Ethnic group (2021 Census)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Disability</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Carer</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Living circumstances</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <location line="+1" />
      <source>Volunteers with us</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Happy to be contacted by {lower}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+11" />
      <source>Gen&amp;der</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>E&amp;thnic group</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Disabilit&amp;y</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Ca&amp;rer</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Living circumstances</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Contact by</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Problems with the details</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+14" />
      <source>Long-term conditions (with the person's own words)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Long-term conditions</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <location line="+5" />
      <source>Condition</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-35" />
      <location line="+31" />
      <source>In their words</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>(only their words)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Condition in the person's own words</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>e.g. "bad chest"</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <location line="+1" />
      <source>Add condition</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Remove condition</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Remove selected condition</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+12" />
      <location line="+2" />
      <source>Consents</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <location line="+8" />
      <source>Consent</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-7" />
      <source>Given</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Recorded</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>How</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Expires</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Withdrawn</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Given or declined</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Agreed</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Declined</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>How consent was recorded</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Date consent was recorded</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <location line="+1" />
      <source>Record consent</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Withdraw selected</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Withdraw selected consent</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+88" />
      <source>Condition removed</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+19" />
      <source>Consent withdrawn</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>record.quick_note</name>
    <message>
      <location filename="../../ui/record/quick_note.py" line="+23" />
      <source>&lt;b&gt;Quick note&lt;/b&gt; (Ctrl+N)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Usual: first meeting, then support session</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>Quick contact note</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Contact date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Contact time</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>How you met</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Attended or not</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Purpose</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Venue</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>e.g. Elswick Library</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Duration in minutes</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source> min</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Contact note</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Save note</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Save contact note</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Close</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Close the note panel</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Quick note title</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>&amp;Date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>T&amp;ime</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Ho&amp;w</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Attended</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>P&amp;urpose</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Venue</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Length</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>N&amp;ote</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+30" />
      <source>Save note (Ctrl+Return)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+14" />
      <source>&lt;b&gt;Correct the contact of {when}&lt;/b&gt; (Esc leaves it as it was)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Save the correction (Ctrl+Return)</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>record.signposting_tab</name>
    <message>
      <location filename="../../ui/record/signposting_tab.py" line="+26" />
      <source>Took it up</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Did not take it up</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Not known yet</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Yes</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>No</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+17" />
      <source>Signposting</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <location line="+33" />
      <source>Service</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-32" />
      <source>Signposted</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Accompanied</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Take-up</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>When and where</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Did they take it up</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Date they first went</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Save take-&amp;up</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Save take-up for selected signposting</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>Signpost to a service in the directory</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Search the directory</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>name, venue or category</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Directory search results</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <location line="+35" />
      <location line="+16" />
      <source>Category</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-50" />
      <source>Venue</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Times</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Checked</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Accompanied introduction</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Signposting date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Signpost to selected &amp;service</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Signpost to the selected service</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Fin&amp;d a service:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+14" />
      <source>Unmet needs (what no local service offered)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Unmet needs</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Recorded</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Need</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Unmet need category</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Unmet need description</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <location line="+1" />
      <source>Record unmet need</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>&amp;Need</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+66" />
      <source>Search for a service and select it first.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+20" />
      <source>Take-up saved</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>record.view</name>
    <message>
      <location filename="../../ui/record/view.py" line="+56" />
      <source>Wellbeing forms are not available in this build.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Wellbeing</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+40" />
      <source>Person's record</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>Opening the record...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Person's name and reference</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Key facts</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Save state</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Save</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+0" />
      <source>Save changes</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>New note</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>New contact note</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Print my plan</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Print the person's plan</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Reload</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+0" />
      <source>Reload the record</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Record status</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+18" />
      <source>Sections of the record</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+9" />
      <source>&amp;1 Profile</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;2 Journey</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;3 Contacts</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;4 Goals and plan</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;5 Signposting</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;6 Wellbeing</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;7 Notes</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+43" />
      <source>Opening the record</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+23" />
      <source>This record could not be opened</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+19" />
      <source>Age {age}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Age not known</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>born {date_of_birth}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+10" />
      <source>Worker: {worker_name}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Stage: {stage_label}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Journey month {month}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Next review: {next_review_due}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>No review due</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Consent: {consents_summary}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+23" />
      <source>Record</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+19" />
      <source>Unsaved changes (Ctrl+S to save)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Saved</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+18" />
      <source>Nothing to save: everything is saved.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>Saving...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+12" />
      <source>Nothing had changed: the record is as it was.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Saved ({count} change{value}).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+17" />
      <source>Saving the record</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+29" />
      <source>Opening the record: the note opens in a moment.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>This journey has ended: re-refer the person to add notes.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+35" />
      <source>Nothing was changed.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+21" />
      <source>Save the person's plan</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>PDF files (*.pdf)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>Writing the plan...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Plan saved to {p}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Writing the plan</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <location line="+17" />
      <source>Unsaved changes</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-16" />
      <source>Discard the unsaved changes to this record?</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+17" />
      <source>Save the changes to this record before closing?</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>record.widgets</name>
    <message>
      <location filename="../../ui/record/widgets.py" line="+87" />
      <source>Calendar: {accessibleName}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+45" />
      <source>Not known (dd/mm/yyyy)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>dd/mm/yyyy</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <location line="+63" />
      <source>Type dd/mm/yyyy, or press F4 for a calendar</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-60" />
      <source>Open the calendar (F4)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+23" />
      <source>a date is needed (dd/mm/yyyy)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+10" />
      <source>{typed!r} is not a date (dd/mm/yyyy)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+258" />
      <source>Problem: </source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Warning: </source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>referral</name>
    <message>
      <location filename="../../ui/referral.py" line="+55" />
      <source>Given &amp;name</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Fa&amp;mily name</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Preferred name</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Date of &amp;birth</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>NHS n&amp;umber</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Post&amp;code</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Address</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>To&amp;wn</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Phone</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Email</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+16" />
      <source>Not saved: </source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>check the form</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+16" />
      <source>New referral</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+10" />
      <source>The person</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Date of birth</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>10 digits</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>e.g. NE4 5AB</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Long-term condition</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>(only their words)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>Condition in the person's own words</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>e.g. "bad chest"</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Add cond&amp;ition</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+0" />
      <source>Add condition</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <location line="+359" />
      <source>None yet</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-358" />
      <source>Conditions added</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Conditions</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>The referral</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Referral date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Referral source</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Choose...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Reasons for referral</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Referrer's name</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Referrer's organisation</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Link worker</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Not assigned yet</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Contract</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+0" />
      <source>No contract</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Referral &amp;date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Source</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Reas&amp;ons</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Referrer</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Organisation</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Lin&amp;k worker</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Con&amp;tract</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Problems with the referral</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Eligibility</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Is this someone already known?</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Referral result</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Save referral</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Clear the form</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>&lt;h2&gt;New referral&lt;/h2&gt;</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+66" />
      <source>Choose a condition or type the person's words.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+45" />
      <source>Eligible for the contract.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+16" />
      <source>This may be someone already known. Open them instead of making a second record?</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+12" />
      <source>{offer} - born {born}, {why}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <location line="+1" />
      <source>This is a different person</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source> Then fix the problems above.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Noted: a different person. Press Ctrl+S to save.{still}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+24" />
      <source>Saving the referral</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+32" />
      <source>{reference} already has an open journey with another worker: ask a manager to reassign them.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+17" />
      <source>Starting a new episode</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+12" />
      <source>{what}: {reference}, journey {episode_number}.{extra}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+28" />
      <source>Referral not saved</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>This referral has not been saved. Discard what you typed?</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>returns.adjust</name>
    <message>
      <location filename="../../ui/returns/adjust.py" line="+28" />
      <source>Record an adjustment</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Record an adjustment to a submitted claim</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>A correction to a claim already submitted. It becomes a new row in the next return; the submitted claim itself is never changed.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>Claim, as printed on the return</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>period:line, e.g. 2026-Q3:12</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Change in pounds</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>e.g. -50.00; blank reverses the whole claim</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Reason the commissioner will read</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+9" />
      <source>&amp;Record adjustment</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>&amp;Claim:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>C&amp;hange (£):</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Rea&amp;son:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>Say which claim: its period and line, e.g. 2026-Q3:12.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>Give a reason the commissioner can read.</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>returns.editor</name>
    <message>
      <location filename="../../ui/returns/editor.py" line="+45" />
      <source>Co&amp;de</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Name</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Comm&amp;issioner</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Start date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;End date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Con&amp;tract cap (£)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Pa&amp;rticipant cap</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>C&amp;ap per person (£)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+71" />
      <source>{name}: {value!r} is not a number (type e.g. 1,500 or £1,500.50)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>Contract editor</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Contracts in this caseload</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>&amp;Open file...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Open a contract file</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Start from the sa&amp;mple</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Start from the sample</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Save to the &amp;caseload</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Save to the caseload</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Sa&amp;ve as file...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Save as a file</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Contract JSON</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Problems</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+21" />
      <source>Contract:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+10" />
      <source>Problems:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+76" />
      <source>(choose a stored contract)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>Open a contract</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <location line="+25" />
      <source>Contracts (*.json)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-16" />
      <source>Opened {name}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+9" />
      <source>Fix the JSON before saving it to a file.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Save the contract</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>Saved {name}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+12" />
      <source>Saving the contract</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Contract {code} saved.</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>returns.pages</name>
    <message>
      <location filename="../../ui/returns/pages.py" line="+49" />
      <source>Which contract is this return for?</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Contracts</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>Return period</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Next builds the return: the caseload is checked against every outcome rule. It runs in the background.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>Blocks payment</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>May weaken a claim</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+26" />
      <source>Data-quality issues, those that block payment first</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Click a heading to sort by it.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>&amp;Open record</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Open the selected person's record</source>
      <translation type="unfinished" />
    </message>
    <message numerus="yes">
      <location line="+8" />
      <source>%Ln issue(s) block payment</source>
      <translation type="unfinished">
        <numerusform />
      </translation>
    </message>
    <message>
      <location line="+2" />
      <source>&lt;b&gt;{blocks}&lt;/b&gt; (listed first) and {weaken} may weaken a claim. Fix them in the person's record, then build the return again.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>No data-quality issues found.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Reference</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Name</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Effect</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Issue</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Detail</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+22" />
      <source>Return totals</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Claims in this return</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Outcomes found but not claimed, with the reason</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+9" />
      <source>SUBMITTED</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Draft</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>&lt;b&gt;{state}: {label}&lt;/b&gt; - {claims} claims for {people} people, {late_claims} late; claimed {claimed}, adjustments {adjustments}, &lt;b&gt;net {net}&lt;/b&gt;.&lt;br&gt;{outcome_text}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+156" />
      <source>Your team submits its returns at the hub, so the claims ledger stays in one place; there, a manager runs:
{command}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Your team records adjustments at the hub, so the claims ledger stays in one place; there, a manager runs:
{command}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-33" />
      <source>Submitted on {on} by {by}. Exports are rebuilt from the frozen return, identical every time.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-108" />
      <source>Line</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-133" />
      <source>P&amp;eriod (e.g. 2026-Q3):</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+134" />
      <location line="+37" />
      <source>Person</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-36" />
      <location line="+37" />
      <source>Outcome</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-36" />
      <location line="+37" />
      <source>Achieved</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-36" />
      <source>Late</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Amount</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Note</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Evidence</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>Adjustment to {line}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>late</source>
      <translation type="unfinished" />
    </message>
    <message numerus="yes">
      <location line="+11" />
      <source>%Ln outcome(s) found but not claimed, and why:</source>
      <translation type="unfinished">
        <numerusform />
      </translation>
    </message>
    <message>
      <location line="+3" />
      <source>Every outcome found is claimed.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>Why not claimed</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+18" />
      <source>&amp;Workbook (XLSX)...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;CSV of claims...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>PDF co&amp;ver report...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;INDIGO JSON...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+14" />
      <source>Export the return as {upper}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>&amp;Submit return...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Submit the return</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Record an a&amp;djustment...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Record an adjustment to a submitted claim</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-212" />
      <source>A correction to a claim already submitted: it goes into the next return as a new row; the submitted claim is never edited.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+224" />
      <source>Draft from this laptop's copy, to check.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+14" />
      <source>Draft. Export it to check, then submit it to lock its claims into the ledger (this cannot be undone; corrections become adjustments in a later return).</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>returns.screen</name>
    <message>
      <location filename="../../ui/returns/screen.py" line="+69" />
      <source>Outcome returns</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Steps</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>Progress</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>&lt; &amp;Back</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+0" />
      <source>Back</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>&amp;Next &gt;</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+0" />
      <source>Next</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>&amp;Rebuild</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Build the return again</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+59" />
      <source>Loading contracts</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>{code}: {name} ({episodes} journeys, {returns_submitted} returns submitted)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+16" />
      <source>No contracts yet: add one in Settings &gt; Contracts.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+26" />
      <source>Building the return...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>Building the return</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+37" />
      <source>Export the return</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+11" />
      <source>Writing {name}...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Exporting the return</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Saved {path}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+9" />
      <source>Submit the return?</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Submit the {label} return for {code}: {claims} claims, net {net}?

Its claims are locked into the ledger and can never be claimed again. This cannot be undone.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+10" />
      <source>Confirm submitting the return</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>&amp;Submit</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+30" />
      <source>Recording the adjustment...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Recording an adjustment</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>Adjustment of {amount} to {claim_ref} recorded; it goes into the next return submitted.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+11" />
      <source>Submitting...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>Submitting the return</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>The {label} return is submitted.</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>signin</name>
    <message>
      <location filename="../../ui/signin.py" line="+38" />
      <source>This is a demonstration caseload with made-up people. Sign in as &lt;b&gt;manager&lt;/b&gt;, &lt;b&gt;worker1&lt;/b&gt;, &lt;b&gt;coordinator&lt;/b&gt; or &lt;b&gt;admin&lt;/b&gt;; the password is &lt;b&gt;demo&lt;/b&gt;.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+41" />
      <source>Problem</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+37" />
      <source>Sign in to LinkWorker</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+10" />
      <source>Opening sign-in</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+16" />
      <source>Admin username</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Admin's name</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Admin password</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Repeat admin password</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>This caseload has no accounts yet. Create the first one: an &lt;b&gt;admin&lt;/b&gt;, who then adds everyone else.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>&amp;Create admin</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+11" />
      <source>Username</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Password</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Sign in with your LinkWorker username and password.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Sign in</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Demonstration accounts</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <location line="+107" />
      <source>New password</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-106" />
      <location line="+107" />
      <source>Repeat new password</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-105" />
      <source>An admin set your password. Choose your own now; only you will know it.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>&amp;Save password</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+33" />
      <source>Signing in</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <location line="+33" />
      <source>The two passwords differ.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-23" />
      <source>Enter your username.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+44" />
      <source>Change your password</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Change the password for &lt;b&gt;{username}&lt;/b&gt;.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>&amp;Change</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Current password</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>&amp;Current password:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;New password:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Repeat it:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>The two new passwords differ.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>Changing password</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+35" />
      <source>Sign-in did not complete.</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>sync_view</name>
    <message>
      <location filename="../../ui/sync_view.py" line="+62" />
      <source>never</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Last synced {when}</source>
      <translation type="unfinished" />
    </message>
    <message numerus="yes">
      <location line="+1" />
      <source>%Ln change(s) waiting</source>
      <translation type="unfinished">
        <numerusform />
      </translation>
    </message>
    <message numerus="yes">
      <location line="+2" />
      <source>%Ln to review</source>
      <translation type="unfinished">
        <numerusform />
      </translation>
    </message>
    <message>
      <location line="+12" />
      <source>Sync status…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Sync status</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Review</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>Sync</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Sync now</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Send this laptop's changes and receive the team's (F9)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+39" />
      <source>Review {open_conflicts}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Merges</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+19" />
      <source>Syncing with the hub</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>Export a sync pack…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Import a sync pack…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+9" />
      <source>Export a sync pack</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <location line="+17" />
      <source>Sync packs (*.lwpack)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-10" />
      <source>Writing the sync pack</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>Import a sync pack</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+9" />
      <source>Applying the sync pack</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+25" />
      <source>Edits made on two laptops</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>The competing values</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Value</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Who</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-177" />
      <location line="+178" />
      <source>When</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-179" />
      <source>Merge</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>By</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Kept</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Merged</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Undone</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+28" />
      <source>Review sync conflicts and merges of two people</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+135" />
      <source>Edits and merges to review</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+16" />
      <source>&amp;Keep this value</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Keep the selected value</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Choose the value that is right; it replaces the other everywhere.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+16" />
      <source>&amp;Merges of two people</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Merges of two people</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Each merge: its number, when, by whom, the kept and the merged person's LinkWorker references, and whether it was undone</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+11" />
      <source>&amp;Undo merge</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Undo the selected merge</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Loading the merges…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>About the merges</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+25" />
      <source>Nothing to review.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+21" />
      <source>Keeping the chosen value</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+12" />
      <source>No merges of two people.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+0" />
      <source>Undoing a merge puts back everything it moved; it reaches the other laptops with the next sync.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+17" />
      <source>Undo merge</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Undo merge {merge}? {merged} becomes a separate person again, with what the merge moved to {kept}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+15" />
      <source>Undoing the merge</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+11" />
      <source>No</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Yes, {when} by {who}</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>today_view</name>
    <message numerus="yes">
      <location filename="../../ui/today_view.py" line="+67" />
      <source>%Ln day(s) overdue</source>
      <translation type="unfinished">
        <numerusform />
      </translation>
    </message>
    <message>
      <location line="+4" />
      <location line="+95" />
      <source>Due</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-60" />
      <source>Day shown</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>◀ Pre&amp;vious day</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Previous day</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>Go to date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>&amp;Today</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Back to today</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>&amp;Next day ▶</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Next day</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>&amp;Worker:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <location line="+12" />
      <source>Time</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-11" />
      <location line="+12" />
      <location line="+10" />
      <source>Person</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-21" />
      <location line="+12" />
      <source>How</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-11" />
      <location line="+12" />
      <source>Where</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-11" />
      <source>Purpose</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Status</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Appointments today</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Day</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <location line="+14" />
      <source>Later this week</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-9" />
      <source>When</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Task</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <location line="+6" />
      <source>Tasks</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-2" />
      <source>Appointments</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+14" />
      <source>Today, {day}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+35" />
      <location line="+88" />
      <source>Loading today</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="-42" />
      <source>Counting today</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>Appointments ({appointments})</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Later this week ({later_this_week})</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Tasks ({tasks}, {late} overdue)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Tasks ({tasks})</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>unlock</name>
    <message>
      <location filename="../../ui/unlock.py" line="+33" />
      <source>Unlock caseload</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Enter the passphrase for the caseload &lt;b&gt;{name}&lt;/b&gt;.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>Unlock error</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Passphrase</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Passphrase:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>&amp;Unlock</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+14" />
      <source>Create a caseload</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>LinkWorker will create an encrypted caseload at &lt;b&gt;{path}&lt;/b&gt;.&lt;br&gt;Choose a passphrase. Without it the caseload cannot be opened on another laptop or from a backup, so keep it somewhere safe.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+11" />
      <source>New passphrase</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Repeat passphrase</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;New passphrase:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Repeat it:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Passphrase problem</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>&amp;Create</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+12" />
      <source>At least {MIN_PASSPHRASE_LENGTH} characters.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>The two passphrases differ.</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>upgrade</name>
    <message>
      <location filename="../../ui/upgrade_progress.py" line="+35" />
      <source>Backing up {name} before the update…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Updating the caseload: step {step} of {steps}…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Updating the caseload: step {step} of {steps}, index {part} of {parts}…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>The caseload is up to date.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+9" />
      <source>Updating your caseload</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Update step</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Update progress</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>This new version of LinkWorker is updating your caseload. It can take several minutes. Please do not close LinkWorker or switch the computer off.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Do not switch off</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>wellbeing.badge</name>
    <message>
      <location filename="../../ui/wellbeing/badge.py" line="+11" />
      <source>Improved</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>No meaningful change</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Deteriorated</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>No follow-up yet</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+17" />
      <source>Latest change: {text}</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>wellbeing.form</name>
    <message>
      <location filename="../../ui/wellbeing/form.py" line="+56" />
      <source>Current statement: type the answer's number</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+12" />
      <source>Statement text</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+31" />
      <source>Answer {value}: {label}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source> (for 10, type 1 then 0)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>&amp;Answers: type {answer_min}-{answer_max}{ten} to answer and move on. Backspace: back one. Delete: clear. Up/Down: move. Ctrl+S: save.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>Question</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Statement</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>{word} {count} of {item_count}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+76" />
      <source>Instrument</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Journey</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Timepoint</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Date completed</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>How it was completed</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Recorded by</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>&amp;Instrument</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Journey</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Timepoint</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Mode</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Recorded &amp;by</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>All statements and answers</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Answered count</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>How to load the licensed wording</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Copyright notice</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>Problem</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>&amp;Save (Ctrl+S)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Save the form</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Save as &amp;incomplete</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Save the form as incomplete</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Cancel (Esc)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Cancel</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+57" />
      <source>No journey</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+16" />
      <source>Other</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+49" />
      <source>{answered} of {item_count} answered</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Loading...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Saving...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+47" />
      <source>Saving the form</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+22" />
      <source>Record a wellbeing form</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+24" />
      <source>Discard the answers?</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>{answered} answers have been keyed in and not saved. Discard them?</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>wellbeing.summary_view</name>
    <message>
      <location filename="../../ui/wellbeing/summary_view.py" line="+91" />
      <source>Instrument</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Item (for instruments reported item by item)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Baselines from</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Baselines to</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;All dates</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Include baselines of any date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Worker</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Contract</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Show (Ctrl+Return)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Show the summary</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>&amp;Export with small numbers hidden...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Export the summary with small numbers suppressed</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>&amp;Instrument</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>I&amp;tem</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>to</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>&amp;Baselines dated</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>&amp;Worker</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>&amp;Contract</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>Warning</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Figure</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Value</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Note</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Summary figures</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Improved, no change and deteriorated</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Reference</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Name</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Baseline date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Baseline</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Journey</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>People still missing a follow-up</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+8" />
      <source>People still missing a follow-up:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+29" />
      <source>All workers</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>All contracts</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+51" />
      <source>Only {paired} people have a paired follow-up: too few to mean much. Exports hide counts under {DEFAULT_MIN_CELL}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>Export wellbeing summary</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Excel workbook (*.xlsx);;CSV (*.csv)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+14" />
      <source>Exported to {name}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Exporting</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>wellbeing.tab</name>
    <message>
      <location filename="../../ui/wellbeing/tab.py" line="+38" />
      <source>Date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Instrument</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Timepoint</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Score</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Form</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Mode</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Recorded by</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+13" />
      <source>{shown} (raw {raw})</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+21" />
      <source>Instrument shown on the chart</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>&amp;Record a form ({RECORD_KEYS})</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Record a wellbeing form</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Record a wellbeing form with the person ({RECORD_KEYS} or Alt+R)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>Status</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Latest change:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>&amp;Chart:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Wellbeing scores over time</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Wellbeing forms recorded</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+42" />
      <source>Complete</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Incomplete ({answered} answered)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+24" />
      <source>No wellbeing forms yet. Record a baseline as early as possible.</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>wellbeing.wording_dialog</name>
    <message>
      <location filename="../../ui/wellbeing/wording_dialog.py" line="+43" />
      <source>Load licensed wording</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Instrument</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Wording status</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Statements, one per line</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Paste the statements here, one per line, in order.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Check result</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Result</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>From &amp;file...</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Load the statements from a text file</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>&amp;Load wording</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Store this wording</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+4" />
      <source>Close (Esc)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Close</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>&amp;Instrument</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+46" />
      <source>{code}: no wording loaded; forms show statement numbers.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+7" />
      <source>{code}: uses the {via} wording.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>{code}: loaded on {loaded_on} by {loaded_by}. Loading again replaces it.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+20" />
      <source>{expected} statements, in order: ready to load.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+9" />
      <source>Statements file</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Text (*.txt)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+10" />
      <source>Cannot read {name} as UTF-8 text: {exc}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+19" />
      <source>Loaded {statements} statements. Every form now shows them.</source>
      <translation type="unfinished" />
    </message>
  </context>
  <context>
    <name>widgets</name>
    <message>
      <location filename="../../ui/widgets.py" line="+403" />
      <source>Messages</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+6" />
      <source>Message</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+5" />
      <source>Dismiss (Esc)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Dismiss message</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+80" />
      <source>Worker</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+1" />
      <source>Show another worker's caseload</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+21" />
      <source>Counting caseloads</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+3" />
      <source>Loading workers</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+10" />
      <source>All workers</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location line="+2" />
      <source>Unassigned</source>
      <translation type="unfinished" />
    </message>
  </context>
</TS>
