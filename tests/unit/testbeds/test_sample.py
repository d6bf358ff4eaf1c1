from collections import Counter

from testbeds.sample import SampleSize, sample_graph


def test_sample_is_deterministic_and_seed_sensitive() -> None:
    a = sample_graph(SampleSize(users=50, products=20, orders=100), seed=1)
    b = sample_graph(SampleSize(users=50, products=20, orders=100), seed=1)
    c = sample_graph(SampleSize(users=50, products=20, orders=100), seed=2)
    assert a == b
    assert a != c


def test_every_relationship_endpoint_is_a_node() -> None:
    nodes, rels = sample_graph(SampleSize(users=50, products=20, orders=100, rings=2))
    keys = {(n.label, n.key) for n in nodes}
    assert len(keys) == len(nodes)  # no duplicate nodes
    for r in rels:
        assert (r.start_label, r.start_key) in keys and (r.end_label, r.end_key) in keys


def test_rings_share_devices() -> None:
    size = SampleSize(users=40, products=10, orders=50, rings=3, ring_size=4)
    _, rels = sample_graph(size)
    users_per_device = Counter(r.end_key for r in rels if r.type == "USED_DEVICE")
    assert sorted(users_per_device.values())[-3:] == [4, 4, 4]


def test_for_elements_scales_to_target() -> None:
    size = SampleSize.for_elements(50_000)
    nodes, rels = sample_graph(size)
    assert 40_000 <= len(nodes) + len(rels) <= 60_000
