"""Features of each candidate sentence against the question, and of the question's best candidate.

The ranker weighs the first set to find the sentence that answers; the verifier weighs the second to say how
likely that sentence really answers (the answer-or-abstain probability). Every feature is a property of the
question, the sentence or their fit — never of a particular wording — so the fitted weights carry over to
questions nobody has written yet.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from bot.answer.candidates import Candidate
from bot.answer.mismatch import MISMATCH_FEATURES, mismatch_row
from bot.answer.question import FRAME, Question, same_person
from bot.answer.sentences import SentenceFacts
from bot.answer.terms import Word, key, read_words, text_keys
from bot.index.lexical import LexicalIndex
from bot.text import stem, terms

Matrix = np.ndarray[tuple[int, int], np.dtype[np.float64]]

RANKER_FEATURES = (
    "dense",
    "dense_context",
    "dense_rank",
    "dense_prev",
    "dense_next",
    "coverage",
    "coverage_context",
    "coverage_prev",
    "coverage_article",
    "rare_match",
    "bm25",
    "bigrams",
    "focus",
    "names",
    "retrieved",
    "retrieval",
    "type_fit",
    "speaker_fit",
    "addressee_fit",
    "reversed_roles",
    "date_fit",
    "published_before",
    "published_soon",
    "number_fit",
    "number_article",
    "quote",
    "anaphoric",
    "lead",
    "length",
    "dense_x_coverage",
    "dense_squared",
    "coverage_squared",
)
VERIFIER_FEATURES = (
    "best_logit",
    "margin",
    "unknown_share",
    "unknown_names",
    "names_uncovered",
    "unsupported_total",
    "number_conflict",
    "speaker_unheard",
    "role_period_unmet",
    "count_unmet",
    "best_type_fit",
    "best_role_fit",
    "multi",
    *MISMATCH_FEATURES,
    *(f"best.{name}" for name in RANKER_FEATURES),  # what the ranker saw of the best candidate
)
_REASON = re.compile(
    r"\b(?:because|due to|owing to|as a result|reflect(?:s|ed)?|amid|in response to|to cope with|in light of|"
    r"aim(?:s|ed)? to|so as to|in order to|purpose|seen as|in the face of|given|since|stemming from|to counter)\b",
    re.I,
)
_COUNTED = re.compile(r"\bhow\s+(?:many|much)\s+(?:of\s+)?(?:the\s+)?([A-Za-z]+)", re.I)
_COUNT_IN_TEXT = re.compile(
    r"\b(\d+|once|twice|one|two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|thousands?)"
    r"\s+(?:[a-z-]+\s+){0,2}?([a-z]+)",
    re.I,
)
_FULL_NAME = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)+\b")
_SAID = re.compile(
    r"\b(?:said|says|say|wrote|told|stated|added|noted|warned|stressed|quoted|according to|reported)\b", re.I
)
_MAX_ABLATIONS = 4  # question words tested for support (one short embedding each)
_SOON_DAYS = 62  # a report of an event usually follows within two months


@dataclass(frozen=True)
class Vocabulary:
    """What the corpus knows: the BM25 index's terms and document frequencies, and the words of the articles'
    outlets (a question may name "the Hankyoreh" though no article body does)."""

    lexical: LexicalIndex
    labels: frozenset[str] = frozenset()  # stems of the registry's outlet names

    @cached_property
    def max_idf(self) -> float:
        """The weight of a word the corpus never uses (as rare as can be)."""
        return self.lexical.idf("\x00never-a-term")

    def known(self, w: Word) -> bool:
        """Whether the corpus uses the word or something it stands for."""
        term = stem(w.text)
        if term in self.lexical.df or term in self.labels or any(k.startswith("@") for k in w.keys):
            return True
        parts = terms(w.text)  # "Ryong-nam", "US-China": the index holds the parts
        return len(parts) > 1 and all(p in self.lexical.df or p in self.labels for p in parts)

    def weight(self, w: Word) -> float:
        """A word's weight: its inverse document frequency (rare words tell most)."""
        term = stem(w.text)
        return self.lexical.idf(term) if term in self.lexical.df else self.max_idf


class QuestionFeatures:
    """Everything about the question that every candidate is compared with, computed once."""

    def __init__(self, question: Question, vocab: Vocabulary, candidates: Sequence[Candidate] = ()) -> None:
        """Weigh the question's words (typos mended against the candidates' articles) and note which the
        corpus never uses."""
        self.q = question
        self.words = tuple(_mended(w, vocab, candidates) for w in question.words)
        self.weights = np.array([vocab.weight(w) for w in self.words], dtype=np.float64)
        self.known = np.array([vocab.known(w) for w in self.words], dtype=bool)
        self.total = float(self.weights.sum()) or 1.0
        self.name_idx = [i for i, w in enumerate(self.words) if w in question.names]
        self.unknown_share = float(self.weights[~self.known].sum()) / self.total if len(self.words) else 0.0
        self.unknown_names = sum(1 for i in self.name_idx if not self.known[i])
        self.max_idf = vocab.max_idf
        all_words = [w for w in read_words(question.core) if w.content and w.base not in FRAME]
        self.pairs = [(a.keys, b.keys) for a, b in itertools.pairwise(all_words)]

    def matched(self, keys: frozenset[str]) -> np.ndarray[tuple[int], np.dtype[np.bool_]]:
        """Which question words a set of match keys covers."""
        return np.array([bool(w.keys & keys) for w in self.words], dtype=bool)

    def bm25(self, text: str, hit: np.ndarray[tuple[int], np.dtype[np.bool_]]) -> float:
        """A BM25-style score of the sentence for the question's words (each counted once, length-normalised
        against a 25-word sentence), over the most the question's words could score."""
        if not len(self.words):
            return 0.0
        length = max(1, len(text.split()))
        norm = 1.2 * (0.25 + 0.75 * length / 25.0)
        tf = 1.0  # a sentence rarely repeats a word; coverage already tells which words are there
        score = float(self.weights[hit].sum()) * (tf * 2.2 / (tf + norm))
        return score / (self.total * 2.2 / (1.0 + 1.2 * 0.25))

    def bigrams(self, text: str) -> float:
        """Share of the question's adjacent content-word pairs that the text has adjacent too ("hostile forces")."""
        if not self.pairs:
            return 0.0
        words = [w for w in read_words(text) if w.content]
        have = {(a, b) for x, y in itertools.pairwise(words) for a in x.keys for b in y.keys}
        return sum(1 for a, b in self.pairs if any((x, y) in have for x in a for y in b)) / len(self.pairs)

    def coverage(self, hit: np.ndarray[tuple[int], np.dtype[np.bool_]]) -> float:
        """Weighted share of the question's words covered."""
        return float(self.weights[hit].sum()) / self.total if len(self.words) else 0.0


def ranker_matrix(qf: QuestionFeatures, qvec: np.ndarray, candidates: Sequence[Candidate]) -> Matrix:
    """One row of RANKER_FEATURES per candidate."""
    n = len(candidates)
    if n == 0:
        return np.zeros((0, len(RANKER_FEATURES)))
    vectors = np.stack([c.vector for c in candidates]).astype(np.float64)
    qv = np.asarray(qvec, dtype=np.float64)
    qv = qv / (np.linalg.norm(qv) or 1.0)
    dense = vectors @ qv
    by_key = {c.key: i for i, c in enumerate(candidates)}
    order = np.argsort(-dense, kind="stable")
    dense_rank = np.empty(n)
    dense_rank[order] = np.arange(n)
    rows = []
    focus_i = int(np.argmax(qf.weights)) if len(qf.words) else -1
    own_keys = [text_keys(c.text) for c in candidates]
    contexts = [_context(c, candidates, by_key) for c in candidates]
    # Each sentence with its neighbours, as their mean direction (summed in the order [own, before, after]).
    sums = vectors.copy()
    for i, context in enumerate(contexts):
        for j in context:
            sums[i] += vectors[j]
    means = sums / np.array([1 + len(context) for context in contexts], dtype=np.float64)[:, None]
    norms = np.linalg.norm(means, axis=1)
    ctx_dense_all = (means @ qv) / np.where(norms > 0, norms, 1.0)
    for i, c in enumerate(candidates):
        context = contexts[i]
        prev, nxt = _side(c, candidates, by_key, -1), _side(c, candidates, by_key, +1)
        ctx_dense = float(ctx_dense_all[i])
        own = own_keys[i]
        ctx_keys = own.union(*(own_keys[j] for j in context)) if context else own
        hit, hit_ctx = qf.matched(own), qf.matched(ctx_keys)
        hit_article = qf.matched(_article_keys(c))
        rows.append(
            [
                dense[i],
                ctx_dense,
                1.0 / (1.0 + dense_rank[i]),
                dense[prev] if prev is not None else 0.0,
                dense[nxt] if nxt is not None else 0.0,
                qf.coverage(hit),
                qf.coverage(hit_ctx),
                qf.coverage(qf.matched(own_keys[prev])) if prev is not None else 0.0,
                qf.coverage(hit_article),
                float(qf.weights[hit].max()) / qf.max_idf if hit.any() else 0.0,
                qf.bm25(c.text, hit),
                qf.bigrams(c.text),
                float(hit[focus_i]) if focus_i >= 0 else 0.0,
                float(hit_ctx[qf.name_idx].mean()) if qf.name_idx else 0.0,
                float(c.retrieval > 0),
                c.retrieval,
                type_fit(qf.q, c, [candidates[j] for j in context]),
                *_roles(qf.q, c, [candidates[j] for j in context]),
                *_dates(qf.q, c, [candidates[j] for j in context]),
                _numbers(qf.q, c, [candidates[j] for j in context]),
                _article_numbers(qf.q, c),
                float(c.facts.quotes),
                float(c.facts.anaphoric),
                float(c.facts.index == 0),
                min(len(c.text.split()), 60) / 30.0,
                dense[i] * qf.coverage(hit),
                dense[i] ** 2,
                qf.coverage(hit_ctx) ** 2,
            ]
        )
    return np.array(rows, dtype=np.float64)


Embed = Callable[[list[str]], Matrix]


def verifier_row(
    qf: QuestionFeatures, candidates: Sequence[Candidate], x: Matrix, logits: np.ndarray, embed: Embed
) -> np.ndarray:
    """VERIFIER_FEATURES of the question, given each candidate's ranker logit. `embed` embeds texts (unit
    vectors), for the test of which of the question's words its best evidence does not support.

    Besides the best candidate's standing, each feature is a way a near miss differs from an answerable
    question: a name or number the evidence never uses, a speaker who never speaks, a speaker who does but not
    in the period asked about, a count the evidence does not give, a word whose leaving brings the question
    closer to the evidence. Last, the best candidate's ranker features, as `best.<name>`."""
    f = {name: j for j, name in enumerate(RANKER_FEATURES)}
    q = qf.q
    row = dict.fromkeys(VERIFIER_FEATURES, 0.0)
    row.update(unknown_share=qf.unknown_share, unknown_names=float(qf.unknown_names), multi=float(q.multi))
    if len(candidates) == 0:
        row.update(best_logit=-10.0, best_type_fit=-1.0)
        return np.array([row[n] for n in VERIFIER_FEATURES], dtype=np.float64)
    order = np.argsort(-logits, kind="stable")
    b = int(order[0])
    best = candidates[b]
    idx = best.facts.index
    window = best.reading.sentences[max(0, idx - 1) : idx + 2]
    hit = qf.matched(text_keys(" ".join(s.text for s in window) + "\n" + best.reading.article.title))
    by_key = {c.key: i for i, c in enumerate(candidates)}
    near = [b] + [j for j in (_side(best, candidates, by_key, -1), _side(best, candidates, by_key, 1)) if j is not None]
    support = _unsupported(qf, np.stack([candidates[j].vector for j in near]), ~hit, embed)
    heard = [i for i, c in enumerate(candidates) if _speaks(q.speaker, c)]
    row.update(
        best_logit=float(logits[b]),
        margin=float(logits[b] - logits[order[1]]) if len(order) > 1 else 4.0,
        names_uncovered=float(sum(1 for i in _names(qf, candidates) if not hit[i])),
        unsupported_total=sum(max(0.0, d) for d in support),
        number_conflict=_number_conflict(q, candidates),
        speaker_unheard=float(bool(q.speaker) and not heard),
        role_period_unmet=float(
            bool(q.speaker and q.periods)
            and not any(x[i, f["date_fit"]] > 0 or x[i, f["published_soon"]] > 0 for i in heard)
        ),
        count_unmet=float(q.answer_type == "how-many" and not _counted(q, best)),
        best_type_fit=x[b, f["type_fit"]],
        best_role_fit=x[b, f["speaker_fit"]] + x[b, f["addressee_fit"]] - x[b, f["reversed_roles"]],
    )
    row.update(zip(MISMATCH_FEATURES, mismatch_row(q, best, [candidates[j] for j in near], candidates), strict=True))
    # The best candidate's whole ranker row as well: how well it matches, not only how it stands against the
    # other candidates (held out, this lifts refused near misses by about six points at the same false refusals).
    row.update({f"best.{name}": float(x[b, j]) for name, j in f.items()})
    return np.array([row[n] for n in VERIFIER_FEATURES], dtype=np.float64)


# --- the parts -----------------------------------------------------------------------------------
def _context(c: Candidate, candidates: Sequence[Candidate], by_key: dict[tuple[str, int], int]) -> list[int]:
    """Indices of the candidates just before and after `c` in its article."""
    out = []
    for k in (c.facts.index - 1, c.facts.index + 1):
        if 0 <= k < len(c.reading.sentences):
            j = by_key.get((c.article_id, c.reading.sentences[k].span.start))
            if j is not None:
                out.append(j)
    return out


def _side(c: Candidate, candidates: Sequence[Candidate], by_key: dict[tuple[str, int], int], step: int) -> int | None:
    k = c.facts.index + step
    if not 0 <= k < len(c.reading.sentences):
        return None
    return by_key.get((c.article_id, c.reading.sentences[k].span.start))


def _article_keys(c: Candidate) -> frozenset[str]:
    cached: frozenset[str] | None = c.reading.__dict__.get("_keys")
    if cached is None:
        cached = text_keys(c.reading.article.title + "\n" + c.reading.article.body)
        object.__setattr__(c.reading, "_keys", cached)
    return cached


def type_fit(q: Question, c: Candidate, context: Sequence[Candidate]) -> float:
    """+1 when the sentence holds the kind of thing asked for and the question does not already name it (a
    person for "who", a date for "when", a place for "where", a count for "how many"), 0 when only its
    neighbour does, -1 when neither does."""
    asked = text_keys(q.core)

    def holds(text: str, facts: SentenceFacts) -> bool:
        if q.answer_type == "who":
            return any(not (text_keys(m.group()) & asked) for m in _FULL_NAME.finditer(text))
        if q.answer_type == "where":
            return facts.has_place
        if q.answer_type == "when":
            return bool(facts.dates)
        if q.answer_type == "how-many":
            return bool(facts.numbers - {"two", "one"})
        if q.answer_type == "why":
            return bool(_REASON.search(text))
        return False

    if q.answer_type in ("what", "yesno"):
        return 0.0
    if holds(c.text, c.facts):
        return 1.0
    if any(holds(n.text, n.facts) for n in context):
        return 0.0
    return -1.0


def _roles(q: Question, c: Candidate, context: Sequence[Candidate]) -> tuple[float, float, float]:
    """Speaker fit, addressee fit, and whether the sentence has the roles the other way round."""
    s = c.facts
    speaker = 0.0
    if q.speaker:
        speaker = 1.0 if same_person(s.speaker, q.speaker) else (-1.0 if s.speaker else 0.0)
    addressee = 0.0
    if q.addressee:
        addressees = s.addressees.union(*(n.facts.addressees for n in context))
        addressee = 1.0 if q.addressee in addressees else 0.0
    reversed_roles = float(bool(q.speaker and q.addressee and same_person(s.speaker, q.addressee)))
    return speaker, addressee, reversed_roles


def _dates(q: Question, c: Candidate, context: Sequence[Candidate]) -> tuple[float, float, float]:
    """Whether the dates the sentence names fit the period asked about; whether the article was published
    before that period (it cannot report it), or soon after it (it likely does)."""
    if not q.periods:
        return 0.0, 0.0, 0.0
    named = list(c.facts.dates) or [d for n in context for d in n.facts.dates]
    fit = 0.0
    if named:
        fit = 1.0 if any(p.overlaps(lo, hi) for p in q.periods for lo, hi in named) else -1.0
    pub = c.reading.published
    if pub is None:
        return fit, 0.0, 0.0
    before = float(all(pub[1] < p.first for p in q.periods))
    soon = float(any(p.first <= pub[1] and (pub[0] - p.last).days <= _SOON_DAYS for p in q.periods))
    return fit, before, soon


def _numbers(q: Question, c: Candidate, context: Sequence[Candidate]) -> float:
    """+1 when the numbers the question names are in the sentence or beside it, -1 when other numbers are."""
    asked = q.numbers - {"two", "one"}
    if not asked:
        return 0.0
    there = c.facts.numbers.union(*(n.facts.numbers for n in context))
    if asked <= there:
        return 1.0
    return -1.0 if (there - {"two", "one"}) else 0.0


def _mended(w: Word, vocab: Vocabulary, candidates: Sequence[Candidate]) -> Word:
    """The word, or the word of the candidates' articles it is one typing slip from ("ambasador")."""
    if len(w.text) < 5 or vocab.known(w) or not w.text.isalpha():
        return w
    lower = w.text.lower()
    probes = [lower, *sorted(_slips(lower))]  # in a fixed order: the first word found is the mend
    for c in candidates:
        index = _slip_index(c)
        for probe in probes:
            other = index.get(probe)
            if other and other[0] == lower[0]:
                return Word(other, w.start, w.keys | read_words(other)[0].keys)
    return w


def _slips(word: str) -> frozenset[str]:
    """The word with one letter left out, or two neighbours swapped."""
    dropped = {word[:i] + word[i + 1 :] for i in range(len(word))}
    swapped = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    return frozenset(dropped | swapped)


def _slip_index(c: Candidate) -> dict[str, str]:
    """The slip map of the candidate's article, built once per reading."""
    cached: dict[str, str] | None = c.reading.__dict__.get("_slips")
    if cached is None:
        cached = slip_map(c.reading.article.body)
        object.__setattr__(c.reading, "_slips", cached)
    return cached


def slip_map(text: str) -> dict[str, str]:
    """Every word of `text` (five letters or more) to itself, and each of its slips to the word; a slip two
    words share goes to the first in alphabetical order, so the mend is the same in every process (set order follows
    the hash seed, and with it the answer did)."""
    words = sorted(set(re.findall(r"[a-z]{5,}", text.lower())))
    out = {word: word for word in words}  # a word of the text is never another's slip ("trials", "trails")
    for word in words:
        for slip in _slips(word):
            out.setdefault(slip, word)
    return out


def _unsupported(qf: QuestionFeatures, evidence: np.ndarray, missing: np.ndarray, embed: Embed) -> list[float]:
    """For each question word the evidence does not contain, how much closer the question comes to the
    evidence without it. A paraphrase ("envoy" for "ambassador") brings nothing by leaving; a word the
    evidence does not support ("the 70th", "troops") does: the question without it is what the evidence says."""
    q = qf.q
    dropped = [i for i in np.flatnonzero(missing)[:_MAX_ABLATIONS]]
    if not dropped:
        return []
    variants = [q.core] + [
        q.core[: q.words[i].start] + q.core[q.words[i].start + len(q.words[i].text) :] for i in dropped
    ]
    vectors = embed(variants)
    e = evidence.astype(np.float64).mean(axis=0)
    e = e / (np.linalg.norm(e) or 1.0)
    sims = vectors @ e
    return [float(v - sims[0]) for v in sims[1:]]


def _names(qf: QuestionFeatures, candidates: Sequence[Candidate]) -> list[int]:
    """Indices of the question's words that are names: written capitalised in the question (not first), a
    gazetteer name, or capitalised mid-sentence in the candidates' articles (so "song tao" counts too)."""
    bodies = {c.article_id: c.reading.article.body for c in candidates}
    text = "\n".join(bodies.values())
    out = []
    for i, w in enumerate(qf.words):
        word = w.text[:1].upper() + w.text[1:]
        if (
            i in qf.name_idx
            or any(k.startswith("@") for k in w.keys)
            # the substring test first: most question words never occur capitalised, and it is a C scan
            or (len(w.text) > 2 and word in text and re.search(rf"(?<=[a-z,] ){re.escape(word)}\b", text))
        ):
            out.append(i)
    return out


def _article_numbers(q: Question, c: Candidate) -> float:
    """Share of the numbers the question names ("the 60th anniversary") that the sentence's article uses."""
    asked = q.numbers - {"two", "one"}
    if not asked:
        return 0.0
    used = {n for s in c.reading.sentences for n in s.numbers}
    return len(asked & used) / len(asked)


def _speaks(name: str | None, c: Candidate) -> bool:
    """Whether the sentence carries the words of `name`: its attributed speaker, or the name itself next to a
    verb of speech ("..., Chinese customs officials said")."""
    if not name:
        return False
    if same_person(c.facts.speaker, name):
        return True
    if c.facts.speaker is not None:  # someone else's words, whoever else the sentence names
        return False
    return same_person(name, " ".join(w for w in re.findall(r"[A-Z][\w-]+", c.text))) and bool(_SAID.search(c.text))


def _number_conflict(q: Question, candidates: Sequence[Candidate]) -> float:
    """1 when the question names a number (an anniversary, a count) that none of the candidate articles uses."""
    asked = q.numbers - {"two", "one"}
    if not asked:
        return 0.0
    seen = {n for c in candidates for s in c.reading.sentences for n in s.numbers}
    return float(not asked <= seen)


def _counted(q: Question, c: Candidate) -> bool:
    """Whether the sentence (or its neighbour) puts a number before what a "how many" question counts."""
    m = _COUNTED.search(q.core)
    if not m:
        return bool(c.facts.numbers - {"two", "one"})
    wanted = {key(m.group(1))}
    texts = [c.text] + [s.text for s in c.reading.sentences[max(0, c.facts.index - 1) : c.facts.index + 2]]
    for text in texts:
        for n in _COUNT_IN_TEXT.finditer(text):
            if key(n.group(2)) in wanted:
                return True
    return False
