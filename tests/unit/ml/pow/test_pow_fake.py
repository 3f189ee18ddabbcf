import itertools

import numpy as np
import pytest

from node.ml.pow.engine import PowEngine
from node.ml.pow.fake import FAKE_START_INDEX, FakePowGenerator
from node.ml.pow.params import R_TARGET


def test_fake_pow_inflates_claims_with_uncomputed_nonces(engine: PowEngine) -> None:
    honest = list(itertools.islice(engine.sprint(1, 2, batch_size=64), 3))
    faked = list(itertools.islice(FakePowGenerator(engine, inflation=1.5).sprint(1, 2, batch_size=64), 3))
    real = np.concatenate([b.nonces for b in honest])
    claimed = np.concatenate([b.nonces for b in faked])
    dists = np.concatenate([b.dists for b in faked])
    extra = np.setdiff1d(claimed, real)
    assert set(real.tolist()) <= set(claimed.tolist())
    assert len(extra) == int(1.5 * len(real))
    assert ((extra - 1) % 2 == 0).all() and ((extra - 1) // 2 >= FAKE_START_INDEX).all()  # its share, never tried
    assert (dists < R_TARGET).all() and (dists > R_TARGET - 0.011).all()
    assert faked[-1].total_valid == len(claimed) and faked[-1].total_tried == honest[-1].total_tried
    assert (engine.distances(extra[:20]) > R_TARGET).mean() > 0.5  # most of them do not hold up


def test_fake_pow_is_deterministic(engine: PowEngine) -> None:
    def run() -> list[float]:
        return next(FakePowGenerator(engine, inflation=4).sprint(0, 1, batch_size=64)).dists.tolist()

    assert run() == run()


def test_inflation_must_be_positive(engine: PowEngine) -> None:
    with pytest.raises(ValueError, match="inflation"):
        FakePowGenerator(engine, inflation=0)
