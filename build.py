#!/usr/bin/env python3
"""Build the explainer: `python build.py [build|check|serve] [options]`; see `--help`."""

import sys
from pathlib import Path

from explainer.cli import main

if __name__ == "__main__":
    sys.exit(main(default_root=Path(__file__).resolve().parent))
