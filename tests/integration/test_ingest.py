"""Ingestion of the built-in marketplace into the real Neo4j: idempotent, privacy-preserving,
and every record loaded or rejected with its reason."""

import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from cartograph.pipeline import ingest_summary, run_ingest
from extraction.pseudonymise import Pseudonymiser
from extraction.rejects import read_rejects
from graph.connection import Driver, Neo4jTarget, count_by_label, count_by_type
from testbeds.marketplace import generate

MAPPING = Path(__file__).resolve().parents[2] / "extraction" / "mappings" / "marketplace.yaml"
PSEUDO = Pseudonymiser(b"integration-test-secret-0123456789")


@pytest.fixture(scope="session")
def small_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("marketplace")
    generate("small", 7, out)
    return out


def _ingest(target: Neo4jTarget, data: Path, run_dir: Path):
    run_dir.mkdir(parents=True, exist_ok=True)
    result, counts, load_s = run_ingest(target, data, MAPPING, PSEUDO, run_dir, show_progress=False)
    return result, counts, ingest_summary(result, counts, load_s)


def test_ingest_twice_changes_no_counts(
    driver: Driver, neo4j_target: Neo4jTarget, small_data: Path, tmp_path: Path
) -> None:
    result, counts, summary = _ingest(neo4j_target, small_data, tmp_path / "a")
    assert summary["reconciles"] and summary["totals"]["loaded"] > 40_000
    assert counts.missing_endpoints == 0
    labels, types = count_by_label(driver), count_by_type(driver)
    assert labels["Order"] == len({n.key for n in result.nodes if n.label == "Order"})
    assert sum(types.values()) == len(result.rels)
    _, again, _ = _ingest(neo4j_target, small_data, tmp_path / "b")
    assert again.nodes_created == 0 and again.relationships_created == 0
    assert count_by_label(driver) == labels and count_by_type(driver) == types


def _raw_identifiers(data: Path) -> set[str]:
    """Emails, phones, card numbers and IPs exactly as the generator wrote them."""
    found: set[str] = set()
    with (data / "raw/webshop/customers.csv").open() as fh:
        for row in csv.DictReader(fh):
            found |= {row["email"], row["phone"]}
    with (data / "raw/webshop/orders.csv").open() as fh:
        for row in csv.DictReader(fh):
            found |= {row["card_number"], row["ip"]}
    for line in (data / "raw/marketplace/accounts.jsonl").open():
        row = json.loads(line)
        found |= {row.get("email") or "", row.get("phone") or ""}
    for line in (data / "raw/marketplace/orders.jsonl").open():
        row = json.loads(line)
        found |= {row["payment"].get("card_number") or "", row.get("ip") or ""}
    return {v.strip().lower() for v in found if v and len(v.strip()) >= 7}


def test_no_raw_identifier_reaches_neo4j(
    driver: Driver, neo4j_target: Neo4jTarget, small_data: Path, tmp_path: Path
) -> None:
    _ingest(neo4j_target, small_data, tmp_path)
    records, _, _ = driver.execute_query(
        "MATCH (n) UNWIND keys(n) AS k WITH n[k] AS v WHERE v IS :: STRING RETURN v "
        "UNION ALL MATCH ()-[r]->() UNWIND keys(r) AS k WITH r[k] AS v "
        "WHERE v IS :: STRING RETURN v"
    )
    text = "\n".join(r["v"].lower() for r in records)
    raw = _raw_identifiers(small_data)
    assert len(raw) > 3_000
    leaked = sorted(v for v in raw if v in text)
    assert leaked == []
    # Normalised forms must not appear either: E.164 phones and digit-only card numbers.
    digits = {re.sub(r"\D", "", v) for v in raw if sum(c.isdigit() for c in v) >= 12}
    assert not [d for d in digits if d in re.sub(r"[^\d\n]", "", text)]


def test_corrupted_rows_are_rejected_and_the_rest_loads(
    driver: Driver, neo4j_target: Neo4jTarget, small_data: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(small_data / "raw", data / "raw")
    with (data / "raw/marketplace/orders.jsonl").open("a") as fh:
        fh.write('{"order_id": "MP-broken", "created": \n')  # truncated JSON
        fh.write('["not", "an", "object"]\n')
        fh.write(
            json.dumps(
                {
                    "order_id": "MP-nodate",
                    "buyer_id": "MP-U1",
                    "created": "soon",
                    "items": [{"listing_id": "MP-L1", "qty": 1}],
                }
            )
            + "\n"
        )
    with (data / "raw/webshop/customers.csv").open("ab") as fh:
        fh.write(b"WS-C999999,Bad,\xff\xfeBytes,x@y.com,,,,,GB,2024-01-01T00:00:00Z\n")
        fh.write(b"WS-C999998,too,few,fields\n")
    result, _, summary = _ingest(neo4j_target, data, tmp_path / "run")
    assert summary["reconciles"]
    rejects = read_rejects(result.rejects_path)
    rejected = [r for r in rejects if not r.reason.startswith("value dropped")]
    assert summary["totals"]["rejected"] == len(rejected) == 5
    reasons = " | ".join(f"{r.record_id}:{r.field}:{r.reason}" for r in rejected)
    assert "invalid JSON" in reasons and "not an object" in reasons
    assert "MP-nodate:parent.created" in reasons and "UTF-8" in reasons
    assert "5 fields" in reasons or "4 fields" in reasons
    keys, _, _ = driver.execute_query(
        "MATCH (o:Order) WHERE o.key IN "
        "['marketplace:MP-broken', 'marketplace:MP-nodate'] "
        "RETURN count(o) AS c"
    )
    assert keys[0]["c"] == 0
    assert count_by_label(driver)["Order"] > 15_000
