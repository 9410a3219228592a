"""``python -m heartbreak``: the command line."""

from heartbreak.cli import main

main()
