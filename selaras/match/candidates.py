"""Candidate generation: never score all pairs.

Texts become sparse TF-IDF vectors (words and word pairs of the normalised text, so a rare
word counts more than "penyediaan" or "kegiatan"); each query row keeps its top-k targets by
cosine plus blocking evidence (same desa / kecamatan, same code prefix), computed chunk by
chunk so memory stays bounded. Only those candidates are scored in detail."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

Bonus = Callable[[slice], np.ndarray]


def tfidf_pair(
    queries: Sequence[str],
    targets: Sequence[str],
    ngram_range: tuple[int, int] = (1, 2),
    analyzer: str = "word",
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """L2-normalised TF-IDF vectors of both sides in one vocabulary (IDF over both)."""
    kwargs: dict = {"sublinear_tf": True, "dtype": np.float32, "lowercase": False}
    if analyzer == "word":
        kwargs.update(tokenizer=str.split, token_pattern=None, ngram_range=ngram_range)
    else:
        kwargs.update(analyzer=analyzer, ngram_range=ngram_range)
    vec = TfidfVectorizer(**kwargs)
    # not `d or ""`: NaN (a pandas string column's empty cell) is truthy, and scikit-learn's
    # refusal of it would land in the empty-vocabulary fallback below, blanking every text
    docs = [d if isinstance(d, str) else "" for d in (*queries, *targets)]
    try:
        m = vec.fit_transform(docs).tocsr()
    except ValueError:  # empty vocabulary: every text is empty
        m = sp.csr_matrix((len(docs), 1), dtype=np.float32)
    return m[: len(queries)], m[len(queries) :]


def incidence(
    keys: Sequence[Sequence[object]], vocab: dict[object, int] | None = None
) -> tuple[sp.csr_matrix, dict]:
    """Rows x distinct keys 0/1 matrix (e.g. the desa a row names); shared `vocab` keeps
    two sides in the same columns."""
    vocab = {} if vocab is None else vocab
    rows, cols = [], []
    for i, ks in enumerate(keys):
        for k in ks:
            if k is None or k != k:  # no key (None, or pandas' NaN for a missing string)
                continue
            j = vocab.setdefault(k, len(vocab))
            rows.append(i)
            cols.append(j)
    m = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(keys), max(len(vocab), 1))
    )
    return m, vocab


def top_k(
    queries: sp.csr_matrix,
    targets: sp.csr_matrix,
    k: int,
    bonus: Bonus | None = None,
    chunk: int | None = None,
    min_score: float = 1e-6,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(query index, target index, proxy score) of each query's k best targets by cosine
    plus `bonus(slice)` (a dense chunk x n_targets array). Ties are broken by target order,
    so the result does not depend on chunking."""
    n_q, n_t = queries.shape[0], targets.shape[0]
    if n_q == 0 or n_t == 0:
        empty = np.array([], dtype=np.int64)
        return empty, empty, np.array([], dtype=np.float32)
    k = min(k, n_t)
    tt = targets.T.tocsc()
    qi, ti, sc = [], [], []
    # dense work arrays of chunk x n_targets: keep each near 8 M cells (32 MB)
    chunk = chunk or max(64, min(4096, 8_000_000 // max(n_t, 1)))
    for start in range(0, n_q, chunk):
        sl = slice(start, min(start + chunk, n_q))
        dense = (queries[sl] @ tt).toarray()
        if bonus is not None:
            dense += bonus(sl)
        if k < n_t:
            part = np.argpartition(-dense, k - 1, axis=1)[:, :k]
        else:
            part = np.tile(np.arange(n_t), (dense.shape[0], 1))
        vals = np.take_along_axis(dense, part, axis=1)
        # deterministic order: score desc, then target index asc
        order = np.lexsort((part, -vals), axis=1)
        part = np.take_along_axis(part, order, axis=1)
        vals = np.take_along_axis(vals, order, axis=1)
        rows = np.repeat(np.arange(sl.start, sl.stop), part.shape[1])
        keep = vals.ravel() > min_score
        qi.append(rows[keep])
        ti.append(part.ravel()[keep])
        sc.append(vals.ravel()[keep])
    return np.concatenate(qi), np.concatenate(ti), np.concatenate(sc).astype(np.float32)


def pair_cosine(
    a: sp.csr_matrix, b: sp.csr_matrix, ia: np.ndarray, ib: np.ndarray, chunk: int = 200_000
) -> np.ndarray:
    """Cosine of the given (a row, b row) pairs, without a dense matrix."""
    out = np.empty(len(ia), dtype=np.float32)
    for s in range(0, len(ia), chunk):
        e = min(s + chunk, len(ia))
        out[s:e] = np.asarray(a[ia[s:e]].multiply(b[ib[s:e]]).sum(axis=1)).ravel()
    return out


class Containment:
    """IDF-weighted containment between word sets: `share(a, b, ia, ib)` is, for each pair,
    the IDF-weighted share of text a[ia]'s distinct words that text b[ib] contains (1.0 =
    all of them). One vocabulary and IDF for the whole block, so "kegiatan" or "dan" weigh
    little and the result does not depend on which pairs are asked."""

    def __init__(self, corpus: Sequence[str]) -> None:
        from sklearn.feature_extraction.text import CountVectorizer

        self.vec = CountVectorizer(
            tokenizer=str.split, token_pattern=None, lowercase=False, binary=True, dtype=np.float32
        )
        docs = [d or "" for d in corpus]
        try:
            m = self.vec.fit_transform(docs)
            df = np.asarray(m.sum(axis=0)).ravel()
            self.idf = (np.log((1 + len(docs)) / (1 + df)) + 1.0).astype(np.float32)
        except ValueError:  # empty vocabulary
            self.vec = None

    def matrices(self, texts: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix] | None:
        """(IDF-weighted, binary) word matrices of some texts."""
        if self.vec is None:
            return None
        b = self.vec.transform([t or "" for t in texts]).tocsr()
        return b.multiply(self.idf[None, :]).tocsr(), b

    @staticmethod
    def share(a: tuple | None, b: tuple | None, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
        out = np.zeros(len(ia), dtype=np.float32)
        if a is None or b is None or len(ia) == 0:
            return out
        weighted, binary = a[0], b[1]
        total = np.asarray(weighted.sum(axis=1)).ravel()
        for s in range(0, len(ia), 200_000):
            e = min(s + 200_000, len(ia))
            hit = np.asarray(weighted[ia[s:e]].multiply(binary[ib[s:e]]).sum(axis=1)).ravel()
            tot = total[ia[s:e]]
            out[s:e] = np.where(tot > 0, hit / np.maximum(tot, 1e-9), 0.0)
        return out
