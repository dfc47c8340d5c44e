"""Break 2: ids that cannot collide. A different article is never taken for an update, never replaces another in
the index, never overwrites another's knowledge copy; ids that look alike are alike; the seeds keep their ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.corpus import read_article_file, to_markdown
from bot.services import Services
from tests.faults.ingest_helpers import seeds

pytestmark = pytest.mark.faults


def _page(title: str, sentence: str) -> str:
    """A raw news page whose title slugs to nothing ("article"): the ids of old collided on such titles."""
    return (
        f"{title}\n\nPosted on : 2024-05-02\n\n{sentence} "
        "Officials in both capitals confirmed the plan on Thursday.\n\n"
        "Analysts said the step would matter most to traders on both sides of the river.\n"
    )


def test_two_pages_with_the_same_date_and_a_chinese_title_are_two_articles(services: Services, tmp_path: Path) -> None:
    """Two different .txt pages of one date, each titled in Chinese, get two ids; both stay indexed and saved."""
    first, second = tmp_path / "a" / "page.txt", tmp_path / "b" / "page.txt"
    first.parent.mkdir()
    second.parent.mkdir()
    first.write_text(
        _page("中朝边境贸易扩大", "China and North Korea agreed to expand border trade."), encoding="utf-8"
    )
    second.write_text(
        _page("金正恩将访问北京", "Kim Jong-un will visit Beijing next month, KCNA said."), encoding="utf-8"
    )
    one, two = services.ingest([first]), services.ingest([second])
    assert one.added != two.added and not one.errors and not two.errors
    ids = [*one.added, *two.added]
    assert all(i.startswith("2024-05-02-article-") for i in ids)
    assert {a.id for a in services.store.articles()} == set(ids)
    assert {read_article_file(p).source for p in [*one.saved, *two.saved]} == {"page.txt"}
    assert [read_article_file(p).id for p in [*one.saved, *two.saved]] == ids


def test_the_same_page_edited_and_ingested_again_is_an_update(services: Services, tmp_path: Path) -> None:
    """A page ingested again from the same file after a correction replaces its earlier version, same id."""
    page = tmp_path / "page.txt"
    page.write_text(_page("中朝边境贸易扩大", "China and North Korea agreed to expand border trade."), encoding="utf-8")
    (first,) = services.ingest([page]).added
    page.write_text(_page("中朝边境贸易扩大", "China and North Korea agreed to double border trade."), encoding="utf-8")
    again = services.ingest([page])
    assert again.updated == [first] and not again.added and services.store.count_articles() == 1
    assert "double border trade" in read_article_file(again.saved[0]).body


LONG = (
    "Chinese and North Korean officials signed a protocol on Thursday that expands barter trade across the "
    "bridge over the Yalu River, the Dandong city government said in a statement. The protocol lets traders "
    "in Sinuiju exchange seafood and minerals for flour, sugar and plastic goods, and it sets up a joint "
    "inspection office on the Chinese bank of the river, according to the statement."
)


def test_a_later_edition_of_a_page_saved_under_another_name_updates_it(services: Services, tmp_path: Path) -> None:
    """The same page saved again later under another file name (same date and title, most of its text) is an
    update of the indexed article, not a second one and not a refused duplicate."""
    first, later = tmp_path / "page.txt", tmp_path / "page (2).txt"
    first.write_text(_page("中朝边境贸易扩大", LONG), encoding="utf-8")
    (added,) = services.ingest([first]).added
    later.write_text(_page("中朝边境贸易扩大", LONG + " Customs figures are due next week."), encoding="utf-8")
    report = services.ingest([later])
    assert report.updated == [added] and not report.added and not report.errors
    assert services.store.count_articles() == 1
    assert "Customs figures" in read_article_file(report.saved[0]).body


def test_a_named_id_taken_by_another_source_is_refused_and_overwrites_nothing(
    services: Services, tmp_path: Path
) -> None:
    """A Markdown file whose `id:` is a seed's, from another source, is refused in one line; the seed's record and
    knowledge copy are unchanged."""
    services.ingest([services.settings.knowledge_dir])
    seed = seeds()[0]
    copy = services.settings.knowledge_dir / f"{seed.id}.md"
    before = copy.read_text(encoding="utf-8")
    other = tmp_path / "other.md"
    other.write_text(
        f"---\nid: {seed.id}\ntitle: Another story\nsource: other.txt\npublished: 2024-05-02\n---\n\n"
        "A different story about the bridge at Dandong, reported by another outlet.\n",
        encoding="utf-8",
    )
    report = services.ingest([other])
    assert len(report.errors) == 1 and report.errors[0].startswith(f"{other}: id {seed.id!r} is already another")
    assert not report.added and not report.updated and not report.saved
    assert copy.read_text(encoding="utf-8") == before
    assert services.store.content_hashes([seed.id]) == {seed.id: seed.content_hash}


def test_a_derived_id_whose_knowledge_file_holds_another_article_gets_a_distinct_id(
    services: Services, tmp_path: Path
) -> None:
    """When the knowledge file a page's id names already holds an article from another source, the page gets the
    next free id and the file stays as it was."""
    page = tmp_path / "page.txt"
    page.write_text(_page("中朝边境贸易扩大", "China and North Korea agreed to expand border trade."), encoding="utf-8")
    derived = services.find_article(str(page)).id
    squatter = services.settings.knowledge_dir / f"{derived}.md"
    text = to_markdown(seeds()[1].with_id(derived))
    squatter.write_text(text, encoding="utf-8")
    report = services.ingest([page])
    assert report.added == [f"{derived}-2"] and not report.errors
    assert squatter.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("hidden", ["\u200b", "\u200d", "\u202e", "\u2066", "\ufeff"])
def test_ids_with_invisible_or_direction_changing_characters_are_refused(
    services: Services, tmp_path: Path, hidden: str
) -> None:
    """An `id:` holding a zero-width or bidi-override character (two ids that look alike) is one line, not indexed."""
    path = tmp_path / "hidden.md"
    path.write_text(f"---\nid: dandong{hidden}trade\ntitle: Dandong trade\n---\n\nTrade picked up in April.\n")
    report = services.ingest([path])
    assert report.errors == [
        f"{path}: 'id' may not contain invisible or direction-changing characters (U+{ord(hidden):04X})"
    ]
    assert not report.saved and services.store.count_articles() == 0


def test_the_seed_articles_keep_their_ids(services: Services) -> None:
    """The knowledge folder's articles are indexed under the ids their files name."""
    report = services.ingest([services.settings.knowledge_dir])
    assert sorted(report.added) == sorted(p.stem for p in services.settings.knowledge_dir.glob("*.md"))
