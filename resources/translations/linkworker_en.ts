<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_GB">
  <context>
    <name>caseload_view</name>
    <message numerus="yes">
      <source>%Ln person(s)</source>
      <translation>
        <numerusform>%Ln person</numerusform>
        <numerusform>%Ln people</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>dropin_view</name>
    <message numerus="yes">
      <source>%Ln attended today</source>
      <translation>
        <numerusform>%Ln attended today</numerusform>
        <numerusform>%Ln attended today</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>due_view</name>
    <message numerus="yes">
      <source> Also %Ln overdue task(s) on Today.</source>
      <translation>
        <numerusform> Also %Ln overdue task on Today.</numerusform>
        <numerusform> Also %Ln overdue tasks on Today.</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%Ln item(s)</source>
      <translation>
        <numerusform>%Ln item</numerusform>
        <numerusform>%Ln items</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>main_window</name>
    <message numerus="yes">
      <source>%Ln journey(s)</source>
      <translation>
        <numerusform>%Ln journey</numerusform>
        <numerusform>%Ln journeys</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>returns.pages</name>
    <message numerus="yes">
      <source>%Ln issue(s) block payment</source>
      <translation>
        <numerusform>%Ln issue blocks payment</numerusform>
        <numerusform>%Ln issues block payment</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%Ln outcome(s) found but not claimed, and why:</source>
      <translation>
        <numerusform>%Ln outcome found but not claimed, and why:</numerusform>
        <numerusform>%Ln outcomes found but not claimed, and why:</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>sync_view</name>
    <message numerus="yes">
      <source>%Ln change(s) waiting</source>
      <translation>
        <numerusform>%Ln change waiting</numerusform>
        <numerusform>%Ln changes waiting</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%Ln to review</source>
      <translation>
        <numerusform>%Ln to review</numerusform>
        <numerusform>%Ln to review</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>today_view</name>
    <message numerus="yes">
      <source>%Ln day(s) overdue</source>
      <translation>
        <numerusform>%Ln day overdue</numerusform>
        <numerusform>%Ln days overdue</numerusform>
      </translation>
    </message>
  </context>
</TS>
