"""``python -m interview_core`` → the CLI."""

import sys

from interview_core.cli import main

sys.exit(main())
