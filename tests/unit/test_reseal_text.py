"""`eventlog.reseal` writes a head's MAC from the sealed state already in canonical form
(`_head_text_of`): it must be the very text `_head_text` MACs, or every re-sealed head would
read as forged. Random states, odd characters included."""
from __future__ import annotations

import random

from engine.persistence.eventlog import _canon, _head_text, _head_text_of


def test_head_text_from_canonical_state_is_the_head_text():
    rng = random.Random(11)
    alphabet = 'aZ09 "\\/\n\t\x01đĐếỗ→€😀'
    for _ in range(500):
        def word():
            return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
        state = {"state": word(), "department_id": rng.choice([None, rng.randrange(10**6)]), "notice_no": word() or None,
                 "received_on": "2026-11-20", "reopen_count": rng.randrange(3),
                 "clocks": [{"name": word(), "due_date": "2026-12-01", "extensions": rng.randrange(3),
                             "stopped_on": None} for _ in range(rng.randrange(3))]}
        args = (rng.randrange(1, 10**7), word(), rng.randrange(1, 999), rng.randrange(50), word(), rng.randrange(5))
        assert _head_text_of(*args, _canon(state)) == _head_text(*args, state)
