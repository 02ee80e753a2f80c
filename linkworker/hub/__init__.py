"""The charity's hub: the whole caseload in PostgreSQL, and the only door laptops get into it.

Why a service inside the database rather than row-level security on every table (see
docs/ARCHITECTURE.md, "The hub"): a laptop's PostgreSQL login holds *no* privilege on any
table. It may only call four ``SECURITY DEFINER`` functions:

* ``linkworker_push(pack)`` drops a sealed sync pack in the hub's inbox, tagged with the login
  that pushed it (``session_user``, which a client cannot fake);
* ``linkworker_pull(after_seq, known)`` returns the changes within that login's scope, computed
  in SQL from the hub's own journeys and grants (a link worker's own caseload and the people
  given to them, plus directory, contracts, instruments, settings and users; managers and
  admins everything; the claims ledger and returns never leave the hub for a link worker);
* ``linkworker_scope()`` names the people that login may hold (whole, or a coordinator's
  venue register only), which the pull uses and the laptop reads to forget people who left;
* ``linkworker_replica_cursor()`` opens a new laptop's first replica as a cursor the laptop
  fetches from: exactly what its first pull would give, plus each of those records as the hub
  holds it with its field heads and conflicts, so the laptop copies them in bulk instead of
  replaying the log. The hub makes each batch as it is fetched, never the whole answer first.

``linkworker hub apply`` (the hub's own process, as the database owner) opens each pack in the
inbox and checks every change against the pusher's role and scope *at the hub* with
``linkworker.access`` before applying any of it; a pack with one change out of bounds is
refused whole and the reason kept. So a modified client can neither read nor write outside
its scope: it never touches a table.
"""
