"""Use-case services. Each public function is one transaction on a Session it is given;
callers own commit/rollback (engine.db.transaction)."""
