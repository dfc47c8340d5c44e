"""The index: the article store, its vectors and word index, and retrieval over them."""
