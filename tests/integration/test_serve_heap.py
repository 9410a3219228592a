"""Before serving, ``heartbreak serve`` loads its session and puts it out of the garbage
collector's reach (heartbreak.api.server.settle_heap): the full collections it saves were the
live stream's 130-240 ms stalls (bench/live_sse.py with LIVE_SSE_GC=1)."""

from __future__ import annotations

import gc

from heartbreak.api.server import SERVER_GC_THRESHOLDS, settle_heap
from heartbreak.services import _WARMED, Heartbreak


def test_settling_loads_the_session_and_freezes_it(real_db_path) -> None:
    session = Heartbreak(db=real_db_path)
    assert not any(name in session.__dict__ for name in _WARMED)
    thresholds = gc.get_threshold()
    try:
        settle_heap(session)
        assert all(name in session.__dict__ for name in _WARMED)
        # the session's tables are in the permanent generation, which no collection walks
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == SERVER_GC_THRESHOLDS
        # get_objects() leaves the frozen out
        assert all(tracked is not session for tracked in gc.get_objects())
        # a warmed session answers without loading anything more
        loaded = set(session.__dict__)
        session.replay_id(41696).stories()
        assert set(session.__dict__) == loaded
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
