"""Interview cost accounting: what interviewing cost, per interview, job, channel and hire.

``loader`` reads the recruiting database into plain ``facts``; ``compute`` prices them
(interviewers' time at ``Staff.hourly_cost`` or the configured grade/default rate, plus
recorded venue, travel and other expenses) into a ``CostReport`` for one month in the
tenant's zone; ``render`` prints it (text, JSON, and the definitions every figure follows);
``workbook`` writes it for finance as an Excel file with charts. ``service.cost_report``
is the role-checked, audited way in; the CLI (``costs``) runs as an operator.
"""
