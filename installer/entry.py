"""Frozen-app entry point for both executables: the same as the ``linkworker`` command.

The windowed ``LinkWorker.exe`` has no console, so Python's standard streams are None there;
they go to the null device instead, so ``print`` in a command cannot crash the app.
"""

import os
import sys

for _name in ("stdout", "stderr"):
    if getattr(sys, _name) is None:
        setattr(sys, _name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115

from linkworker.command import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
