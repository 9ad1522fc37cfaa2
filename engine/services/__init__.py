"""Use-case services. Each public function is one transaction on a Session it is given;
callers own commit/rollback (`engine.persistence.db.transaction`). Petitions and their
workflow actions, reception sessions, units, users and passwords, clock rows (started,
extended, re-projected — journaled), and the notices that tell the petitioner.

May import `persistence` and the pure rooms; never the scheduler, intake, reports or cli.
"""
