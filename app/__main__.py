"""``python -m app``: serve the app, or run a subcommand (see app/cli.py)."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
