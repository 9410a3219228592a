"""Live mode: a match fed event by event, with duplicates, late arrivals, retractions and
corrections, replayed to the same state every time (see :mod:`heartbreak.live.state`)."""

from heartbreak.live.state import (
    LiveMatch,
    current_clock,
    effective_events,
    parse_message,
)

__all__ = ["LiveMatch", "current_clock", "effective_events", "parse_message"]
