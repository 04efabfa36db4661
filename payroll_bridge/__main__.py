"""``python -m payroll_bridge`` → the CLI."""

import sys

from payroll_bridge.cli import main

sys.exit(main())
