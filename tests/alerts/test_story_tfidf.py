"""The story index weighs terms as scikit-learn's TfidfVectorizer does (smoothed idf, l2-normed
vectors), kept up to date item by item instead of refitted: checked here against the library
on the same items (the index's vectors are the items' stems and concept classes)."""

from __future__ import annotations

import itertools

import pytest
from story_helpers import OTHER_NEWS, index_with

from alerts.stories.match import GENERIC_WEIGHT

TITLES = [
    "Excarcelan a Rocío San Miguel tras 18 meses de prisión",
    "Rocío San Miguel fue excarcelada este jueves, confirma su abogado",
    "EE UU incauta el petrolero Olina en el Caribe",
    "Diplomáticos de EE UU llegan a Caracas para estudiar reabrir la embajada",
]


def test_weights_and_cosines_are_scikit_learns() -> None:
    sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")
    pairwise = pytest.importorskip("sklearn.metrics.pairwise")
    index = index_with(TITLES[0], *TITLES[1:])
    vectors = [m.tf for entry in index.stories.values() for m in entry.members]
    assert len(vectors) == len(TITLES) + len(OTHER_NEWS) == index.docs
    library = sklearn_text.TfidfVectorizer(analyzer=lambda tf: [t for t, n in tf.items() for _ in range(n)])
    matrix = library.fit_transform(vectors)
    for term, column in library.vocabulary_.items():
        assert index.idf(term) == pytest.approx(library.idf_[column] * (GENERIC_WEIGHT if term in index.generic else 1))
    assert not index.generic  # (no topic words given: every term weighs in full, as in the library)
    cosines = pairwise.cosine_similarity(matrix)
    for a, b in itertools.combinations(range(len(vectors)), 2):
        ours = index.cosine(vectors[a], vectors[b], index._norm(vectors[a], cache=False))
        assert ours == pytest.approx(cosines[a, b], abs=1e-12)
    # (story 1 is the first title, then the index's other news, then the other titles)
    second, tanker = 1 + len(OTHER_NEWS), 2 + len(OTHER_NEWS)
    assert cosines[0, second] > 0.2 > cosines[0, tanker]  # two tellings of one release are close
