"""Analysis: what the articles say, per article and across them."""
