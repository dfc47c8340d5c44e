"""Digests: article summaries and briefings."""
