"""Graph ranking of sentences (TextRank over TF-IDF cosine similarity)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)
# Scripts written without spaces are compared by characters rather than words.
_NO_SPACE_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")


def _terms(sentence: str) -> list[str]:
    terms: list[str] = []
    for word in _WORD.findall(sentence.lower()):
        if _NO_SPACE_SCRIPT.search(word):
            terms.extend(word)
        elif len(word) > 1 or word.isdigit():
            terms.append(word)
    return terms


def similarity_matrix(sentences: Sequence[str]) -> np.ndarray:
    """Cosine similarity of the sentences' TF-IDF vectors; zero diagonal."""
    bags = [Counter(_terms(s)) for s in sentences]
    doc_freq = Counter(term for bag in bags for term in bag)
    vocab = {term: i for i, term in enumerate(doc_freq)}
    n = len(sentences)
    matrix = np.zeros((n, len(vocab)))
    for row, bag in enumerate(bags):
        for term, count in bag.items():
            matrix[row, vocab[term]] = count * (math.log((1 + n) / (1 + doc_freq[term])) + 1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    sim = matrix @ matrix.T
    np.fill_diagonal(sim, 0.0)
    return sim


def textrank(sentences: Sequence[str], *, damping: float = 0.85, tol: float = 1e-8) -> list[float]:
    """PageRank centrality of each sentence in the similarity graph; sums to 1."""
    n = len(sentences)
    if n == 0:
        return []
    sim = similarity_matrix(sentences)
    out_weight = sim.sum(axis=1, keepdims=True)
    # Sentences sharing no terms with any other link to all, as PageRank does for sinks.
    transition = np.where(out_weight > 0, sim / np.where(out_weight > 0, out_weight, 1), 1.0 / n)
    scores = np.full(n, 1.0 / n)
    for _ in range(200):
        updated = (1 - damping) / n + damping * transition.T @ scores
        if np.abs(updated - scores).sum() < tol:
            scores = updated
            break
        scores = updated
    return [float(x) for x in scores / scores.sum()]


def key_sentence_count(n_sentences: int) -> int:
    """How many key sentences to pick: 3 to 5 as the document grows, all of a short one."""
    return min(n_sentences, max(3, min(5, 3 + n_sentences // 20)))


def top_sentences(
    sentences: Sequence[str], k: int | None = None, *, skip: Sequence[bool] | None = None
) -> list[tuple[int, float]]:
    """The ``k`` most central sentences as (index, score), in document order.

    Sentences whose ``skip`` entry is true (passed through untranslated) take no part; the
    indices returned are still positions in ``sentences``. Ties go to the earlier sentence,
    so the choice is deterministic.
    """
    if skip is not None:
        kept = [i for i, skipped in enumerate(skip) if not skipped]
        ranked = top_sentences([sentences[i] for i in kept], k)
        return [(kept[i], score) for i, score in ranked]
    scores = textrank(sentences)
    k = key_sentence_count(len(sentences)) if k is None else min(k, len(sentences))
    best = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]
    return [(i, scores[i]) for i in sorted(best)]
