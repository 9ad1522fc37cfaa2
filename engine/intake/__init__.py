"""Data coming in: registers imported from spreadsheets — `columns` (the template and its
vocabulary), `reading` (CSV/XLSX into rows), `validation` (one row, each refusal naming its
field), `writing` (bulk inserts, replay through the services), `importer` (the whole file,
all or nothing) — and the demo data.

May import services, persistence and the pure rooms; never the scheduler, reports or cli.
"""
