"""One caseload across the team: the change log, merging, sync packs and the hub's sync.

How it fits together (see docs/sync.md):

* ``changelog`` records every ORM change as it is flushed, in the same transaction, as one
  ``SyncChange`` per record with a hybrid-logical-clock id (``clock``), the device and the user.
* ``merge`` applies changes from elsewhere: field by field, so edits to different fields both
  survive; two edits of one field from the same starting point become a ``SyncConflict``
  (``conflicts`` lists and resolves them) unless the field is last-writer-wins (``tables``).
  The result depends only on *which* changes a replica holds, never on their order.
* ``packs`` moves changes on a USB stick: encrypted and signed with the team key (``teamkey``).
"""
