"""`python -m explainer …`: the same command line as the `explainer` script and `build.py`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
