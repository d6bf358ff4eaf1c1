"""``python -m cartograph.cli``: what the Makefile runs before the console script exists."""

from cartograph.cli import app

app()
