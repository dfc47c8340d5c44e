"""The registry snapshot and the store's generation token: a new process does not read every registry
record when nothing changed, and a running process sees another one's ingest on its next question."""

from pathlib import Path

import pytest

from bot.index.registry import Registry
from bot.index.store import Store
from bot.services import Services, build_services

QUESTION = "What did Xi write to Kim in September 2023?"
SEPTEMBER_2023 = "2023-09-09-xi-jinping-hails-new-era-in-china-s-ties-with-no"


def _snapshot(services: Services) -> Path:
    return services.settings.data_dir / "registry" / f"{services.settings.collection}.arrays"


def _refuse_full_read(monkeypatch: pytest.MonkeyPatch, store: Store) -> None:
    def articles() -> None:
        raise AssertionError("read every registry record although the snapshot is current")

    monkeypatch.setattr(store, "articles", articles)


def test_a_new_process_takes_the_registry_from_the_snapshot(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an ingest, a new process answers with the registry from the snapshot, not from every record."""
    services.ingest([services.settings.knowledge_dir])
    expected = services.registry()
    assert _snapshot(services).exists()

    fresh = build_services(services.settings)
    _refuse_full_read(monkeypatch, fresh.store)
    assert fresh.registry() == expected and list(fresh.registry()) == list(expected)  # same records, same order
    answer = fresh.ask(QUESTION)
    assert answer.status == "answered" and answer.citations[0].article_id == SEPTEMBER_2023


def test_a_snapshot_older_than_the_store_is_not_used(services: Services) -> None:
    """An article added after the snapshot was taken is in the registry a new process reads."""
    files = sorted(services.settings.knowledge_dir.glob("*.md"))
    services.ingest([f for f in files if SEPTEMBER_2023 not in f.name])
    assert SEPTEMBER_2023 not in services.registry()
    stale = _snapshot(services).read_bytes()

    services.ingest([f for f in files if SEPTEMBER_2023 in f.name])
    _snapshot(services).write_bytes(stale)  # as if the writer could not update it
    assert SEPTEMBER_2023 in build_services(services.settings).registry()


def test_a_damaged_snapshot_is_ignored(services: Services, caplog: pytest.LogCaptureFixture) -> None:
    """A snapshot that is not a snapshot file is logged and ignored; the registry comes from the store."""
    services.ingest([services.settings.knowledge_dir])
    _snapshot(services).write_text('{"format": 1, "generation": ', encoding="utf-8")
    assert len(build_services(services.settings).registry()) == 5
    assert "ignoring the registry snapshot" in caplog.text


def test_a_running_process_sees_another_process_ingest_on_its_next_question(services: Services) -> None:
    """The bot answers; the CLI (another Services on the same store) adds an article; the bot's next
    question retrieves and cites it, with no restart and no explicit refresh."""
    files = sorted(services.settings.knowledge_dir.glob("*.md"))
    services.ingest([f for f in files if SEPTEMBER_2023 not in f.name])
    bot = build_services(services.settings)
    before = bot.ask(QUESTION)
    assert SEPTEMBER_2023 not in {c.article_id for c in before.citations}

    cli = build_services(services.settings)
    cli.ingest([f for f in files if SEPTEMBER_2023 in f.name])
    after = bot.ask(QUESTION)
    assert after.status == "answered" and after.citations[0].article_id == SEPTEMBER_2023
    assert SEPTEMBER_2023 in bot.answerer.registry and SEPTEMBER_2023 in bot.lexical().articles


def test_a_loaded_snapshot_parses_only_the_records_asked_for(services: Services) -> None:
    """Opening the snapshot gives ids, hashes and columns at once; a record is parsed when it is asked for,
    and equals the store's."""
    services.ingest([services.settings.knowledge_dir])
    fresh = build_services(services.settings).registry()
    assert len(fresh._made) <= 1  # the one record parsed to check the file
    stored = {a.id: a for a in services.store.articles()}
    assert fresh.hashes() == {a: info.content_hash for a, info in stored.items()}
    assert fresh[SEPTEMBER_2023] == stored[SEPTEMBER_2023] and len(fresh._made) <= 2
    assert fresh.outlet_names() == {a.outlet for a in stored.values() if a.outlet}


def test_the_registry_keeps_date_order_and_knows_the_latest_article(services: Services) -> None:
    """Rows are in publication-date-then-id order, as the store lists them; `latest` is the last dated one."""
    services.ingest([services.settings.knowledge_dir])
    stored = services.store.articles()
    registry = Registry.of(reversed(stored))
    assert list(registry) == [a.id for a in stored]
    assert registry.latest() == max((a for a in stored if a.published), key=lambda a: (a.published, a.id))
