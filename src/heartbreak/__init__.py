"""Heartbreak: the ride a football match gave its fans.

Minute-by-minute win and advance probabilities, fan emotions, drama metrics and the story of
any men's international since 1872, every World Cup match, or a match of your own.
"""

__version__ = "0.1.0"
