"""Yalu: cited answers about China-North Korea relations."""

__version__ = "0.1.0"
