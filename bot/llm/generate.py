"""Cited writing by a chat model: numbered passages in, validated sentences out, with tokens and latency.

Independent of what is being written (an answer, a summary, a briefing): the caller brings the prompt,
its variables and the numbered sources; `write_cited` fills `{passages}` and checks the output.
"""

from __future__ import annotations

import contextvars
import logging
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.errors import LLMError
from bot.llm.chat import model_label
from bot.llm.prompts import Prompt
from bot.llm.validate import Source, Validated, validate
from bot.redact import redact

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

log = logging.getLogger(__name__)

_FENCE = re.compile(r"</?\s*passages\s*>", re.I)
# Reasoning models served by Ollama or vLLM put their scratch work in <think> tags: it is not the answer.
_THINKING = re.compile(r"<think>.*?(?:</think>|$)", re.S | re.I)
_DROPPING = {"fabricated_quote", "uncited", "unclosed_quote", "refusal", "link"}


@dataclass(frozen=True)
class Generated:
    """A model's reply, what survived validation, and what it cost."""

    raw: str
    validated: Validated
    model: str
    latency_ms: float
    input_tokens: int | None
    output_tokens: int | None

    @property
    def dropped(self) -> int:
        """Sentences of the reply removed by validation."""
        return sum(1 for i in self.validated.issues if i.kind in _DROPPING)

    def usage(self) -> dict[str, Any]:
        """Model, tokens, latency and validation issues, as reported under `llm` in `--json`."""
        return {
            "model": self.model,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "latency_ms": round(self.latency_ms, 1),
            "dropped": self.dropped,
            "issues": [i.to_json() for i in self.validated.issues],
        }


def format_passages(sources: Sequence[Source]) -> str:
    """The numbered passages as the model sees them: "[n] header" then the text, blank line between."""
    # An article that contains the fence tags themselves (in its text or its title) must not close the data block.
    return "\n\n".join(f"[{s.n}] {_FENCE.sub('', s.header)}\n{_FENCE.sub('', s.text)}".strip() for s in sources)


def write_cited(
    model: BaseChatModel,
    prompt: Prompt,
    variables: Mapping[str, str],
    sources: Sequence[Source],
    timeout_s: float,
    label: str | None = None,
) -> Generated:
    """Ask the model (prompt + numbered sources), validate its citations and quotes; LLMError on failure or timeout."""
    from langchain_core.messages import HumanMessage, SystemMessage

    system, user = prompt.render(passages=format_passages(sources), **variables)
    t0 = time.perf_counter()
    reply = invoke(model, [SystemMessage(system), HumanMessage(user)], timeout_s)
    latency = (time.perf_counter() - t0) * 1e3
    usage = getattr(reply, "usage_metadata", None) or {}
    text = _THINKING.sub("", reply.text).strip()
    generated = Generated(
        text,
        validate(text, sources),
        label or model_label(model),
        latency,
        usage.get("input_tokens"),
        usage.get("output_tokens"),
    )
    for issue in generated.validated.issues:
        log.info("LLM output: %s: %s", issue.kind, issue.text)
    return generated


def invoke(model: BaseChatModel, messages: list[BaseMessage], timeout_s: float) -> BaseMessage:
    """`model.invoke(messages)`, given up on after `timeout_s` whatever the provider's own timeout does."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["reply"] = model.invoke(messages)
        except Exception as exc:  # handed to the caller's thread below
            box["error"] = exc

    # A daemon thread: a hung request must not keep the process alive after we have moved on. It runs in a
    # copy of the caller's context, so the model call stays a child of the caller's LangChain run (one trace
    # in LangSmith from the question to the model's reply, not an orphaned model call).
    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(run,), name="yalu-llm", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if thread.is_alive():
        raise LLMError(f"timeout after {timeout_s:g} s")
    if "error" in box:
        raise LLMError(describe(box["error"], timeout_s)) from box["error"]
    reply: BaseMessage = box["reply"]
    return reply


def describe(exc: BaseException, timeout_s: float) -> str:
    """A short phrase for a provider error: "timeout after 30 s", or the error's type and first line."""
    name = type(exc).__name__
    if isinstance(exc, TimeoutError) or "Timeout" in name:
        return f"timeout after {timeout_s:g} s"
    # Redacted before it is cut: a server may echo the key in its error, and a cut key escapes the redaction.
    text = redact(str(exc)).strip()
    first = text.splitlines()[0][:160] if text else ""
    return f"{name}: {first}" if first else name
