"""The drama metrics that are ranked, in a module that imports nothing: the command line builds
its ``--metric`` choices from it without importing numpy (:mod:`heartbreak.drama.metrics`
re-exports it)."""

#: The metrics of the drama index that are ranked (``heartbreak top``, the ranks of a replay).
RANKED_METRICS = ("heartbreak", "comeback", "suspense", "surprise", "excitement", "shock")
