"""`yalu bench`: how ingest, search and answers cost grows with the corpus, measured on this machine.

The orchestrator (`run.py`) runs each stage in a fresh Python process (`python -m bot.bench STAGE`),
so that memory is measured per stage and a 10,000-article ingest does not inflate the
serving figures.
"""
