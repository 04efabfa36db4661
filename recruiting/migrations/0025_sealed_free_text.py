"""Personal data a review found in the clear, sealed at rest like 0013's columns: the text a
mini-app client reports with an integrity event, an offer's pay (base salary, bonus months,
allowances: no query filters, sorts or sums on them), a data request's outcome (a refused
correction gives HR's reason), and where a candidate or an application came from as people
typed it (sealed deterministically: HR filters by them).

The columns become TEXT on PostgreSQL (numeric pay is cast to its exact text, e.g.
``12000.00``), then every value still in the clear is sealed with the process's field
cipher. Sealing skips values that are already tokens, so running it again changes nothing.
"""

from tortoise import migrations

from recruiting.infra.sealing_migration import SealedColumn, sealing_operations
from recruiting.infra.sealed_fields import (
    SEARCHABLE,
    TEXT,
    SealedDecimalField,
    SealedTextField,
    SearchableField,
)

# (model, field, table, kind, new field); pay is sealed as text (``SealedDecimalField``
# reads any exact decimal text back as its ``Decimal``).
_COLUMNS: list[SealedColumn] = [
    ("IntegrityEvent", "detail", "integrity_event", TEXT, SealedTextField(default="")),
    ("Offer", "base_salary", "offer", TEXT, SealedDecimalField(max_digits=12, decimal_places=2)),
    ("Offer", "bonus_months", "offer", TEXT, SealedDecimalField(max_digits=5, decimal_places=2, default=0)),
    ("Offer", "allowances", "offer", TEXT, SealedDecimalField(max_digits=12, decimal_places=2, default=0)),
    ("DataRequest", "outcome", "data_request", TEXT, SealedTextField(default="")),
    ("Candidate", "source", "candidate", SEARCHABLE, SearchableField(default="", db_default="")),
    ("Application", "channel", "application", SEARCHABLE, SearchableField(default="direct")),
]  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [('recruiting', '0024_recording_link')]

    initial = False

    operations = sealing_operations(_COLUMNS)
