"""Extractive answers from a fitted, calibrated answer model: every sentence verbatim and cited, or an abstention.

The pipeline, one module each: `question` (what is asked), `candidates` (sentences of the retrieved passages
and their neighbours), `sentences` (speaker, addressee, dates of each sentence), `features`, `model` (ranker,
verifier, threshold), `compose` (the answer and its citations), `answerer` (the whole, per question), and
`fit` (how the model is fitted and cross-validated on the team's own question sets).
"""

from bot.answer.answerer import Analysis, Answerer, Decision, Evidence, capped_notice, clean_question

__all__ = ["Analysis", "Answerer", "Decision", "Evidence", "capped_notice", "clean_question"]
