"""Evaluation: proper scoring rules and walk-forward backtests."""
