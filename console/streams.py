"""The two consoles every view prints to: results on stdout, notes and errors on stderr."""

import sys

from rich.console import Console

out = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True, highlight=False)
