"""Frozen-app entry point for both executables: the same as the ``linkworker`` command.

``multiprocessing.freeze_support()`` comes first, before the app's imports: the export's
worker processes are this executable started again by multiprocessing's spawn
(linkworker/io/export_workers.py), and it makes such a start run the worker, not the app.

The windowed ``LinkWorker.exe`` has no console, so Python's standard streams are None there;
they go to the null device instead, so ``print`` in a command cannot crash the app.
"""

import multiprocessing
import os
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()  # an export worker runs here, and ends, in a frozen app

for _name in ("stdout", "stderr"):
    if getattr(sys, _name) is None:
        setattr(sys, _name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115

from linkworker.command import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
