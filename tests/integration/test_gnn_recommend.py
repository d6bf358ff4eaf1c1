"""Recommendation end to end on a real Neo4j: load a small graph, export, train, evaluate."""

from gnn.features import export_recommend_data
from gnn.recommend import ALL_MODELS, RecommendConfig, train_and_evaluate
from gnn.train import TrainConfig
from graph.connection import Driver
from graph.writer import GraphWriter, apply_schema
from testbeds.sample import SampleSize, sample_graph

SIZE = SampleSize(users=80, products=30, orders=700, rings=2, ring_size=3)


def test_recommendation_runs_on_an_exported_graph(driver: Driver) -> None:
    apply_schema(driver)
    nodes, rels = sample_graph(SIZE, seed=11)
    writer = GraphWriter(driver, batch_size=500)
    writer.write_nodes(nodes)
    writer.write_relationships(rels)

    data = export_recommend_data(driver)
    assert data["Order"].time.dtype.is_floating_point  # driver DateTimes became epoch seconds
    cfg = RecommendConfig(dim=16, train=TrainConfig(max_epochs=2, batch_size=256))
    out = train_and_evaluate(data, model_cfg=cfg, seed=7, device="cpu")

    assert [m["name"] for m in out["models"]] == list(ALL_MODELS)
    split = out["split"]
    assert split["t1_epoch"] < split["t2_epoch"] and split["eval"]["test"]["users"] > 0
    graph = split["message_graph"]["test"]
    assert graph["edges"]["Product-IN_CATEGORY-Category"] == SIZE.products  # static: kept
    assert "USED_DEVICE" in split["left_out"]["untimed"]  # behaviour without a time: out
    kg = next(m for m in out["models"] if m["name"] == "kg-gf")["kg_filter"]
    # the export's static item relationships (brands, categories), never behaviour
    assert set(kg["relations"]) == {"Product-IN_CATEGORY-Category", "Product-MADE_BY-Brand"}
    assert not any(r.startswith(("User", "Review", "Order")) for r in kg["relations"])
    for m in out["models"]:
        assert 0.0 <= m["metrics"]["recall@20"] <= 1.0
        if m["train_config"] is not None:
            assert 1 <= len(m["curve"]) <= 2
