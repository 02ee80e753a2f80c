"""``python -m linkworker``: the same as the ``linkworker`` command."""

import sys

from linkworker.command import main

if __name__ == "__main__":
    sys.exit(main())
