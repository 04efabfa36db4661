"""``python -m recruiting`` → the CLI."""

import sys

from recruiting.cli import main

sys.exit(main())
