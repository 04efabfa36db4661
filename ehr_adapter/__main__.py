"""``python -m ehr_adapter`` (see ``ehr_adapter.cli``)."""

import sys

from ehr_adapter.cli import main

sys.exit(main())
