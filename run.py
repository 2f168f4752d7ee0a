#!/usr/bin/env python3
"""Command-line entry: `python run.py --help`. A thin layer on the `sim` package."""

import sys

from sim.cli import main

if __name__ == "__main__":
    sys.exit(main())
