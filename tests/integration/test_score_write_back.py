"""The scored links written to Neo4j are exactly the score CSV, and a re-score replaces them
(the write-back ``cartograph score`` does, on several batches and a replaced previous run)."""

import csv
from pathlib import Path

import numpy as np

from gnn.score import write_csv
from graph.connection import Driver
from graph.records import NodeRecord
from graph.scores import ScoredLink, write_scored_links
from graph.writer import GraphWriter, apply_schema

USERS, ITEMS, TOP = 150, 300, 20
HEADER = ["source_key", "target_key", "score", "rank"]


def _links(seed: int) -> list[ScoredLink]:
    """Top-20 lists with scores that only a full-precision write keeps apart: float32 values
    as ``tolist`` gives them, neighbours one ulp apart, tiny and negative numbers."""
    rng = np.random.default_rng(seed)
    out = []
    for u in range(USERS):
        items = rng.choice(ITEMS, TOP, replace=False).tolist()
        base = float(np.float32(rng.random()))
        scores = [base, float(np.nextafter(base, -1.0)), 1e-300, -0.1 - 0.2, 1 / 3]
        scores += np.sort(rng.random(TOP - len(scores)).astype(np.float32))[::-1].tolist()
        ranked = enumerate(zip(items, scores, strict=True))
        out += [ScoredLink(f"u{u}", f"p{i}", s, r + 1) for r, (i, s) in ranked]
    return out


def _write(driver: Driver, links: list[ScoredLink], model: str, out: Path) -> dict[str, int]:
    write_csv(out, HEADER, ((r.start, r.end, repr(r.score), r.rank) for r in links))
    return write_scored_links(
        driver, links, start_label="User", rel_type="RECOMMENDED", end_label="Product",
        model=model, batch_size=1_000,
    ).as_dict()  # fmt: skip


def _graph(driver: Driver) -> list[tuple[str, str, str, int, str]]:
    records, _, _ = driver.execute_query(
        "MATCH (a:User)-[r:RECOMMENDED]->(b:Product) RETURN a.key, b.key, r.score, r.rank, r.model"
    )
    return sorted((a, b, repr(s), k, m) for a, b, s, k, m in records)


def _csv(path: Path, model: str) -> list[tuple[str, str, str, int, str]]:
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == HEADER
    return sorted((a, b, s, int(k), model) for a, b, s, k in rows[1:])


def test_written_links_equal_the_score_csv_and_a_rescore_replaces_them(
    driver: Driver, tmp_path: Path
) -> None:
    apply_schema(driver)
    GraphWriter(driver, batch_size=500).write_nodes(
        [NodeRecord("User", f"u{k}", {}) for k in range(USERS)]
        + [NodeRecord("Product", f"p{k}", {}) for k in range(ITEMS)]
    )
    first = _write(driver, _links(1), "m/1", tmp_path / "first.csv")
    assert first == {"removed": 0, "written": USERS * TOP, "missing": 0}
    assert _graph(driver) == _csv(tmp_path / "first.csv", "m/1")

    second = _links(2)
    second.append(ScoredLink("u0", "no-such-product", 0.5, TOP + 1))  # not in the graph
    res = _write(driver, second, "m/2", tmp_path / "second.csv")
    assert res == {"removed": USERS * TOP, "written": USERS * TOP, "missing": 1}
    want = [row for row in _csv(tmp_path / "second.csv", "m/2") if row[1] != "no-such-product"]
    assert _graph(driver) == want  # every score bit for bit, no link of the first run left
