"""Prompt templates: files in `prompts/`, a system and a user part each, their {variables} checked at load."""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ConfigError

# The variables each prompt must use, no more and no fewer: the code fills exactly these.
REQUIRED: dict[str, frozenset[str]] = {
    "answer": frozenset({"passages", "question", "max_words"}),
    "summarize": frozenset({"passages", "subject"}),
    "brief": frozenset({"passages", "period"}),
}
_SYSTEM, _USER = "## system", "## user"


def default_prompts_dir() -> Path:
    """The shipped prompts (the wheel's copy, or the checkout's `prompts/` folder)."""
    from bot.paths import prompts_dir

    return prompts_dir()


@dataclass(frozen=True)
class Prompt:
    """A checked template: the system message (rules) and the user message (data and task)."""

    name: str
    path: Path
    system: str
    user: str
    variables: frozenset[str]

    def render(self, **values: str) -> tuple[str, str]:
        """(system, user) with every variable filled; the values must be exactly the prompt's variables."""
        if set(values) != self.variables:
            wanted, given = ", ".join(sorted(self.variables)), ", ".join(sorted(values))
            raise ValueError(f"prompt {self.name!r} takes {wanted}; got {given}")
        return self.system.format(**values), self.user.format(**values)


def load_prompt(name: str, folder: Path | None = None) -> Prompt:
    """Read `<folder>/<name>.md` and check it; a missing, unknown or malformed variable is a ConfigError."""
    if name not in REQUIRED:
        raise ValueError(f"no prompt named {name!r}; known: {', '.join(REQUIRED)}")
    path = (folder or default_prompts_dir()) / f"{name}.md"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the prompt ({exc.strerror}); check YALU_PROMPTS_DIR") from exc
    system, user = _sections(path, text)
    used = placeholders(path, system) | placeholders(path, user)
    required = REQUIRED[name]
    if missing := required - used:
        raise ConfigError(f"{path}: missing variable(s) {_braced(missing)}; the prompt must use {_braced(required)}")
    if unknown := used - required:
        raise ConfigError(
            f"{path}: unknown variable(s) {_braced(unknown)}; the prompt may use only {_braced(required)}"
        )
    return Prompt(name, path, system, user, required)


def placeholders(path: Path, text: str) -> set[str]:
    """The {names} in a template; positional, indexed or malformed fields are a ConfigError."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc} (write a literal brace as {{{{ or }}}})") from exc
    bad = [f for f in fields if not f.isidentifier()]
    if bad:
        raise ConfigError(f"{path}: {{{bad[0]}}} is not a named variable (write a literal brace as {{{{ or }}}})")
    return set(fields)


def _sections(path: Path, text: str) -> tuple[str, str]:
    """The text under '## System' and under '## User'; anything before is a note for humans, not sent."""
    lines = text.splitlines()
    heads = [line.strip().lower() for line in lines]
    if _SYSTEM not in heads or _USER not in heads or heads.index(_SYSTEM) > heads.index(_USER):
        raise ConfigError(f"{path}: a prompt needs a '## System' section followed by a '## User' section")
    s, u = heads.index(_SYSTEM), heads.index(_USER)
    return "\n".join(lines[s + 1 : u]).strip(), "\n".join(lines[u + 1 :]).strip()


def _braced(names: frozenset[str] | set[str]) -> str:
    return ", ".join(f"{{{n}}}" for n in sorted(names))
