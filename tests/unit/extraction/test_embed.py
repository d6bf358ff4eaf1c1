"""The sentence encoder: batching is a speed choice only, never a change in the vectors."""

import numpy as np

from extraction.nlp.embed import CPU_BATCH, Embedder, shared_embedder


def test_vectors_do_not_depend_on_the_batch_size() -> None:
    texts = [f"Acme {w} wireless mouse, {n} buttons" for w in ("black", "navy", "ivory")
             for n in range(25)] + ["Acme black wireless mouse, 0 buttons", ""]  # fmt: skip
    enc = shared_embedder()
    if enc.device == "cpu":
        assert enc.batch_size == CPU_BATCH  # the measured CPU default (BENCHMARKS.md)
    small = Embedder(batch_size=8).encode(texts)
    large = Embedder(batch_size=256).encode(texts)
    assert small.shape == (len(texts), enc.dim)
    np.testing.assert_allclose(small, large, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(small, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(small[0], small[-2])  # a repeated text: encoded once, same vector
    assert not np.allclose(small[0], small[25])  # black vs navy: different texts differ
