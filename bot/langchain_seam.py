"""Yalu behind LangChain's own interfaces: the retriever as a `BaseRetriever` returning `Document`s, the answerer
as a `Runnable`, so either drops into an LCEL chain, an agent tool (`create_retriever_tool`) or a LangSmith
trace, where retrieval and answer then show as steps of the caller's run; and the bundled model as an
`Embeddings`, for the caller's own vector store.

    retriever = YaluRetriever(services=services, k=4, since="2023-01-01")
    docs = retriever.invoke("What did Xi write to Kim?")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import ConfigDict

from bot.index.embeddings import MiniLMEmbeddings

if TYPE_CHECKING:
    from bot.answer_model import Answer
    from bot.services import Services


class YaluEmbeddings(MiniLMEmbeddings, Embeddings):
    """The bundled MiniLM as a LangChain `Embeddings` (with its async methods), for a vector store or chain of
    the caller's. Yalu itself uses `MiniLMEmbeddings`, which has the same vectors without LangChain's import."""


class YaluRetriever(BaseRetriever):
    """Yalu's hybrid retrieval (dense sentences + BM25, fused) as a LangChain retriever.

    Each `Document` is one verbatim chunk of an article; its metadata carries the article id, title, outlet,
    published date (ISO), URL, the chunk's character offsets in the article body and the fused score. `since`,
    `until` and `outlet` filter hard, as `yalu search --since/--until/--outlet` do; `k` may also be given per
    call (`retriever.invoke(query, k=3)`)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    services: Any  # bot.services.Services (Any: pydantic need not know the type)
    k: int = 4
    since: str | None = None
    until: str | None = None
    outlet: str | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        services: Services = self.services
        retrieval = services.search(query, self.since, self.until, self.outlet, k=k or self.k)
        registry = services.registry()
        docs = []
        for p in retrieval.passages:
            info = registry.get(p.chunk.article_id)
            docs.append(
                Document(
                    page_content=p.chunk.text,
                    id=p.chunk.id,
                    metadata={
                        "article_id": p.chunk.article_id,
                        "title": info.title if info else None,
                        "outlet": info.outlet if info else None,
                        "published": info.published.isoformat() if info and info.published else None,
                        "url": info.url if info else None,
                        "start": p.chunk.start,
                        "end": p.chunk.start + len(p.chunk.text),
                        "score": p.score,
                    },
                )
            )
        return docs


def answer_runnable(services: Services) -> Runnable[str, Answer]:
    """`services.ask` as a Runnable: a question in, a cited `Answer` out (its `to_json()` for JSON)."""

    def ask(question: str) -> Answer:
        return services.ask(question)

    return RunnableLambda(ask, name="yalu_answer")
