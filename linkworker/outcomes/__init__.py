"""Outcome contracts as data, and the engine that finds what a caseload has achieved.

- ``contract``: the JSON contract format, checked with every problem named by its field path;
- ``store``: contracts in the caseload (install/update, find, list) with their pseudonym keys;
- ``sample``: the shipped sample contract (used by the demo);
- ``facts``: the few set-based queries that load what the rules need;
- ``rules``: one evaluator per rule kind (engagement, measure change, measure level, goals,
  journey, external), pure functions over the loaded facts;
- ``quality``: what would block or weaken a claim, with a link to the record;
- ``external``: the consented cohort out, the commissioner's per-person results in.

Returns (periods, caps, the claims ledger, exports) are ``linkworker.returns``. No Qt here.
"""
