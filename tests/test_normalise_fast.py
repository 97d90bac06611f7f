"""The fast quote normalisation folds exactly what the reference definition folds, nothing more."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from explainer.verify import _TYPOGRAPHY, normalise

ALPHABET = "ab Z1.,'\"-\t\n\r\x0b\x0c\x1c\x85\xa0\u2000\u2028\u3000é’‘“”„‟‚‛′″‐‑‒–—―−"


def reference(text: str) -> str:
    """The rule as first written: translate the marks, fold whitespace runs, strip."""
    return re.sub(r"\s+", " ", text.translate(_TYPOGRAPHY)).strip()


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=30))
def test_fast_normalise_matches_the_reference(text):
    assert normalise(text) == reference(text)


def test_only_quotes_dashes_and_whitespace_are_forgiven():
    assert normalise("“It’s  over”\n— he said") == "\"It's over\" - he said"
    assert normalise("Café ½ FOO") == "Café ½ FOO"  # case, accents, everything else kept
