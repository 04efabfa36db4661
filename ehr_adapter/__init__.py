"""EHR adapters behind ``recruiting.ports.ehr``: generic REST (``rest``, driven by a mapping
file), Excel/CSV file exchange (``files``), 薪人薪事 (``xinrenxinshi``), the outbox channel
that delivers EHR effects (``sender``), a reference EHR with fault injection (``reference``)
and the CLI (``python -m ehr_adapter``). ``build`` is what the composition root calls."""
