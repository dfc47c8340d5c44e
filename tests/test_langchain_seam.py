"""Yalu behind LangChain's interfaces, checked by LangChain's own standard suites (langchain-tests) and in a
chain: the bundled embeddings, the retriever over the seed articles, the answerer as a Runnable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda
from langchain_core.tools.retriever import create_retriever_tool
from langchain_tests.integration_tests import EmbeddingsIntegrationTests, RetrieversIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

from bot.langchain_seam import YaluEmbeddings, YaluRetriever, answer_runnable
from bot.services import Services

_SEEDED: dict[str, Services] = {}


@pytest.fixture(autouse=True)
def _seeded_services(seeded: Services) -> Iterator[None]:
    """The standard suites build the retriever from class properties, so the session's seeded services are
    handed to them here."""
    _SEEDED["services"] = seeded
    yield


class TestYaluEmbeddingsUnit(EmbeddingsUnitTests):
    """LangChain's unit suite for embeddings, on the bundled MiniLM."""

    @property
    def embeddings_class(self) -> type[YaluEmbeddings]:
        return YaluEmbeddings


class TestYaluEmbeddingsIntegration(EmbeddingsIntegrationTests):
    """LangChain's integration suite for embeddings (sync and async), on the bundled MiniLM."""

    @property
    def embeddings_class(self) -> type[YaluEmbeddings]:
        return YaluEmbeddings


class TestYaluRetrieverIntegration(RetrieversIntegrationTests):
    """LangChain's integration suite for retrievers (k at construction and per call, sync and async)."""

    @property
    def retriever_constructor(self) -> type[YaluRetriever]:
        return YaluRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"services": _SEEDED["services"]}

    @property
    def retriever_query_example(self) -> str:
        return "What did Xi write to Kim?"


def test_documents_carry_the_article_and_verbatim_offsets(seeded: Services) -> None:
    """Each Document is a verbatim slice of its article's body, with outlet, date and link in its metadata."""
    docs = YaluRetriever(services=seeded, k=3).invoke("Xi message to Kim on the anniversary")
    assert len(docs) == 3
    for doc in docs:
        article = seeded.find_article(doc.metadata["article_id"])
        assert article.body[doc.metadata["start"] : doc.metadata["end"]] == doc.page_content
        assert doc.metadata["outlet"] and doc.metadata["published"] and "url" in doc.metadata


def test_the_date_filter_is_a_field(seeded: Services) -> None:
    """`since` filters hard: no document from an article published before it."""
    docs = YaluRetriever(services=seeded, k=4, since="2023-01-01").invoke("Xi and Kim letters")
    assert docs and all(d.metadata["published"] >= "2023-01-01" for d in docs)


def test_the_retriever_in_an_lcel_chain_and_as_an_agent_tool(seeded: Services) -> None:
    """Piped into a formatting step it gives cited text; as a tool, an agent can call it by name."""

    def cite(docs: list[Document]) -> str:
        return "\n".join(f"[{d.metadata['outlet']}, {d.metadata['published']}] {d.page_content}" for d in docs)

    chain = YaluRetriever(services=seeded, k=2) | RunnableLambda(cite)
    text = chain.invoke("What did Xi write to Kim in 2021?")
    assert text.startswith("[") and sum(line.startswith("[") for line in text.splitlines()) == 2
    tool = create_retriever_tool(YaluRetriever(services=seeded, k=2), "yalu_search", "Search the Yalu corpus.")
    assert "Xi" in tool.invoke({"query": "Xi letter to Kim"})


def test_the_answerer_is_a_runnable(seeded: Services) -> None:
    """The answer through the Runnable is the answer `yalu ask` gives, citations and all."""
    question = "What did Xi say about the friendship in 2021?"
    answer, direct = answer_runnable(seeded).invoke(question), seeded.ask(question)
    assert (answer.answer, answer.citations, answer.status) == (direct.answer, direct.citations, direct.status)
    assert answer.citations


def test_llm_mode_model_call_is_a_child_of_the_callers_run(seeded: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """In LLM mode the chat model runs under the Runnable's own run (a LangSmith trace is one tree), although
    the call is made in a worker thread so that it can be given up on at the timeout."""
    from uuid import UUID

    from langchain_core.callbacks import BaseCallbackHandler
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    class Runs(BaseCallbackHandler):
        def __init__(self) -> None:
            self.chains: dict[str, UUID] = {}
            self.model_parents: list[UUID | None] = []

        def on_chain_start(self, serialized: Any, inputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
            self.chains[str(kwargs.get("name"))] = run_id

        def on_chat_model_start(self, serialized: Any, messages: Any, *, run_id: UUID, **kwargs: Any) -> None:
            self.model_parents.append(kwargs.get("parent_run_id"))

    reply = "Xi told Kim the pair had elevated their ties \u201cinto a new era\u201d [1]."
    monkeypatch.setitem(seeded.__dict__, "chat_model", GenericFakeChatModel(messages=iter([AIMessage(reply)])))
    runs = Runs()
    answer = answer_runnable(seeded).invoke("What did Xi write to Kim in September 2023?", {"callbacks": [runs]})
    assert answer.status == "answered"
    assert runs.model_parents == [runs.chains["yalu_answer"]]


def test_embeddings_class_builds_without_arguments(tmp_path: Path) -> None:
    """The standard suites build the class with no parameters: the bundled model needs none."""
    assert len(YaluEmbeddings().embed_query("Pyongyang")) == 384
