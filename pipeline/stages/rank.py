"""Graph ranking of sentences (TextRank over TF-IDF cosine similarity), linear in the
text's length."""

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


class TermMatrix:
    """The sentences' TF-IDF vectors, L2-normalised, as a sparse matrix (its non-zero
    entries: row, column, value), so memory grows with the text, never with the square of
    the number of sentences."""

    def __init__(self, sentences: Sequence[str]):
        bags = [Counter(_terms(s)) for s in sentences]
        doc_freq = Counter(term for bag in bags for term in bag)
        vocab = {term: i for i, term in enumerate(doc_freq)}
        n = len(sentences)
        idf = {t: math.log((1 + n) / (1 + f)) + 1 for t, f in doc_freq.items()}
        rows, cols, values = [], [], []
        for row, bag in enumerate(bags):
            for term, count in bag.items():
                rows.append(row)
                cols.append(vocab[term])
                values.append(count * idf[term])
        self.n, self.terms = n, len(vocab)
        self.rows = np.asarray(rows, dtype=np.int64)
        self.cols = np.asarray(cols, dtype=np.int64)
        weights = np.asarray(values, dtype=np.float64)
        norms = np.sqrt(np.bincount(self.rows, weights=weights**2, minlength=n))
        self.values = weights / norms[self.rows] if len(weights) else weights
        #: Each sentence's similarity with itself (1, or 0 for a sentence without terms).
        self.own = np.bincount(self.rows, weights=self.values**2, minlength=n)

    def similarity_times(self, vector: np.ndarray) -> np.ndarray:
        """``S @ vector``, S being the cosine similarity of every pair of sentences with a
        zero diagonal, computed as ``X (Xᵀ v) - diag(X Xᵀ) v`` without forming S."""
        by_term = np.bincount(
            self.cols, weights=self.values * vector[self.rows], minlength=self.terms
        )
        spread = np.bincount(self.rows, weights=self.values * by_term[self.cols], minlength=self.n)
        return spread - self.own * vector


def similarity_matrix(sentences: Sequence[str]) -> np.ndarray:
    """Cosine similarity of the sentences' TF-IDF vectors, zero diagonal, as a dense n × n
    matrix: for inspection and tests of small inputs only (ranking never forms it)."""
    matrix = TermMatrix(sentences)
    return np.stack([matrix.similarity_times(column) for column in np.eye(matrix.n)], axis=1)


def textrank(sentences: Sequence[str], *, damping: float = 0.85, tol: float = 1e-8) -> list[float]:
    """PageRank centrality of each sentence in the similarity graph; sums to 1.

    The graph is never formed: each iteration multiplies by it through the sparse term
    matrix (:class:`TermMatrix`), so time and memory are linear in the text's length."""
    n = len(sentences)
    if n == 0:
        return []
    matrix = TermMatrix(sentences)
    out_weight = matrix.similarity_times(np.ones(n))
    # Sentences sharing no terms with any other link to all, as PageRank does for sinks.
    # (A sum that is zero in exact arithmetic may come out a rounding error away from it.)
    linked = out_weight > 1e-12
    safe_weight = np.where(linked, out_weight, 1.0)
    scores = np.full(n, 1.0 / n)
    for _ in range(200):
        share = np.where(linked, scores / safe_weight, 0.0)
        sinks = scores[~linked].sum() / n
        updated = (1 - damping) / n + damping * (matrix.similarity_times(share) + sinks)
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
