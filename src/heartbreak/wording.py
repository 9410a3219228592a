"""How numbers are put into words, shared by the stories and the pages."""

from __future__ import annotations


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 101st, 111th, 1,907th."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def share_at_top(rank: int, of: int) -> str:
    """How high a rank stands as a share: "top 0.1%", "top 5%", "top 40%"."""
    share = 100.0 * rank / of
    if share < 1:
        return f"top {max(share, 0.1):.1f}%"
    return f"top {share:.0f}%"
