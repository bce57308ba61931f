"""Inter-rater agreement (quadratic-weighted kappa) and the reviewer split: pure functions, fast."""

from __future__ import annotations

import pytest

from lablib.reports.agreement import weighted_kappa
from lablib.reports.assignment import split


def test_weighted_kappa_matches_a_hand_computed_example():
    # Rater A: 0 1 2 3 4 4; rater B: 0 2 2 4 4 3.
    # Observed Σ(a-b)² = 0+1+0+1+0+1 = 3.
    # Marginals A: n0=1 n1=1 n2=1 n3=1 n4=2; B: n0=1 n2=2 n3=1 n4=2; n = 6.
    # Expected Σ = (1/6) Σ_ij a_i b_j (i-j)²
    #   i=0: 1·(1·0 + 2·4 + 1·9 + 2·16) = 49;  i=1: 1·(1·1 + 2·1 + 1·4 + 2·9) = 25
    #   i=2: 1·(1·4 + 0 + 1·1 + 2·4) = 13;     i=3: 1·(1·9 + 2·1 + 0 + 2·1) = 13
    #   i=4: 2·(1·16 + 2·4 + 1·1 + 0) = 50;     total 150 / 6 = 25
    # κ_w = 1 − 3/25 = 0.88
    pairs = [(0, 0), (1, 2), (2, 2), (3, 4), (4, 4), (4, 3)]
    assert weighted_kappa(pairs) == pytest.approx(0.88)
    assert weighted_kappa([(2, 2), (2, 2)]) is None  # one level throughout: undefined, not 1
    assert weighted_kappa([]) is None
    assert weighted_kappa([(0, 4), (4, 0)]) == pytest.approx(-1.0)


def test_split_is_deterministic_balanced_and_refuses_bad_teams():
    from lablib.reports.review import ReviewError

    ids = [f"p{i:02d}" for i in range(10)]
    a = split(ids, ["A", "B", "C"], double=0.3, seed="x")
    assert a == split(reversed(ids), ["A", "B", "C"], double=0.3, seed="x")
    assert sorted(len(v) for v in a.primary.values()) == [3, 3, 4]
    assert sum(len(v) for v in a.second.values()) == 3
    with pytest.raises(ReviewError, match="dua narasumber"):
        split(ids, ["A"], double=0.2)
    with pytest.raises(ReviewError, match="berbeda"):
        split(ids, ["Siti", "siti"])
