"""Ingest: reading articles in (files, pages, URLs) and writing them to the index."""
