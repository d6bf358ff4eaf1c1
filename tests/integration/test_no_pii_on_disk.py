"""Issue 13 point 2: no raw personal data in any file a run writes, and every such file 0600.

A full demo takes minutes, so this runs what writes a run's files, on the built-in marketplace
(small, seed 7) plus deliberately messy rows full of raw e-mails, phones, cards and IPs: the
ingest (rejects), its report (json + md), a small recommendation training (model artefact),
scoring to CSV and the task's plots. Then it reads every file under the run directory back.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import stat
from pathlib import Path

import phonenumbers
import pytest

from cartograph.pipeline import ingest_summary, run_ingest
from cartograph.report import new_run_dir, write_report
from cartograph.report_tasks import task_markdown, task_plots
from extraction.pseudonymise import Pseudonymiser
from gnn.tasks import load_task
from gnn.tasks.runner import score_task, train_task
from graph.connection import Driver, Neo4jTarget
from testbeds.marketplace import generate

MAPPING = Path(__file__).resolve().parents[2] / "extraction" / "mappings" / "marketplace.yaml"
PSEUDO = Pseudonymiser(b"integration-test-secret-0123456789")
FAST = {"dim": 16, "train": {"max_epochs": 2, "batch_size": 1024}}

# Raw identifiers in rows that must be rejected (bad date, bad JSON, wrong field count) or whose
# personal value cannot be cleaned (dropped with a reason).
MESSY_CUSTOMERS = [
    "WS-C900001,Zelda,Quorn,zelda.quorn@example.org,+44 20 7946 0958,1 High St,London,"
    "E1 6AN,GB,not-a-date",
    "WS-C900002,Yuri,Pax,yuri.pax@@example.org,0033 6 12345678,,,,FR,2024-02-01T00:00:00Z",
    "WS-C900003,too,few,xavier.voss@example.net,+1 415 555 2671",
]
MESSY_ORDERS = [
    "WS-O900001,WS-C000001,yesterday,web,delivered,EUR,10.00,,4111 1111 1111 1111,Annabel Quist,,,,"
    ",fp_1,198.51.100.23,",
    "WS-O900002,WS-C000001,2025-02-01T00:00:00Z,web,delivered,EUR,10.00,,5555-5555-5555-4444,"
    "Ann,,,,,fp_2,2001:db8::beef:1,",
]
MESSY_ACCOUNTS = [
    '{"account_id": "MP-U900001", "email": "wanda.moss@example.com", "phone": '
    '"+49 30 901820", "created": "whenever"',  # truncated JSON
    json.dumps({"account_id": "MP-U900002", "email": "v.ray@example.com",
                "phone": "+34 600 123 456", "created": "nope"}),
]  # fmt: skip
MESSY_RAW = {
    "zelda.quorn@example.org", "+44 20 7946 0958", "yuri.pax@@example.org", "0033 6 12345678",
    "xavier.voss@example.net", "+1 415 555 2671", "4111 1111 1111 1111", "198.51.100.23",
    "5555-5555-5555-4444", "2001:db8::beef:1", "wanda.moss@example.com", "+49 30 901820",
    "v.ray@example.com", "+34 600 123 456", "Zelda", "Quorn",
}  # fmt: skip


@pytest.fixture(scope="module")
def messy_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    clean = tmp_path_factory.mktemp("marketplace-clean")
    generate("small", 7, clean)
    data = tmp_path_factory.mktemp("marketplace-messy")
    shutil.copytree(clean / "raw", data / "raw")
    for name, lines in (
        ("raw/webshop/customers.csv", MESSY_CUSTOMERS),
        ("raw/webshop/orders.csv", MESSY_ORDERS),
        ("raw/marketplace/accounts.jsonl", MESSY_ACCOUNTS),
    ):
        with (data / name).open("a", encoding="utf-8") as fh:
            fh.writelines(line + "\n" for line in lines)
    return data


def _raw_identifiers(data: Path) -> set[str]:
    """Every e-mail, phone, card and IP exactly as the input holds it."""
    found: set[str] = set(MESSY_RAW)
    with (data / "raw/webshop/customers.csv").open() as fh:
        for row in csv.DictReader(fh):
            found |= {row["email"] or "", row["phone"] or ""}
    with (data / "raw/webshop/orders.csv").open() as fh:
        for row in csv.DictReader(fh):
            found |= {row["card_number"] or "", row["ip"] or ""}
    for line in (data / "raw/marketplace/accounts.jsonl").open():
        if line.startswith('{"account_id": "MP-U900001"'):
            continue  # the truncated line
        row = json.loads(line)
        found |= {row.get("email") or "", row.get("phone") or ""}
    return {v.strip() for v in found if v and len(v.strip()) >= 7} | {"Zelda", "Quorn", "Quist"}


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_IPV4 = re.compile(
    r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])"
)
_CARD = re.compile(r"(?<![\d.])(?:\d[ -]?){12,18}\d(?![\d.])")  # not inside a decimal


def _luhn(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()][::-1]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits))
    return total % 10 == 0


def _phone_like(text: str, m: phonenumbers.PhoneNumberMatch) -> bool:
    """A written phone number (international or trunk prefix), not part of a decimal number."""
    before = text[m.start - 1] if m.start else " "
    decimal = re.fullmatch(r"\d*\.\d+", m.raw_string.strip()) is not None
    return m.raw_string.strip().startswith(("+", "0")) and before not in ".-" and not decimal


def _looks_personal(text: str) -> list[str]:
    """An independent scanner (not the redactor's patterns): e-mails, IPv4 addresses,
    Luhn-valid card numbers, and phone numbers as libphonenumber finds them in text."""
    hits = _EMAIL.findall(text) + _IPV4.findall(text)
    hits += [m for m in _CARD.findall(text) if _luhn(m)]
    for region in ("GB", "US", "FR", "DE", "ES"):
        matcher = phonenumbers.PhoneNumberMatcher(text, region, phonenumbers.Leniency.VALID)
        hits += [m.raw_string for m in matcher if _phone_like(text, m)]
    return hits


def test_a_run_leaves_no_personal_text_and_only_private_files(
    driver: Driver, neo4j_target: Neo4jTarget, messy_data: Path, tmp_path: Path
) -> None:
    run_dir = new_run_dir(tmp_path / "runs")
    result, counts, load_s = run_ingest(
        neo4j_target, messy_data, MAPPING, PSEUDO, run_dir, show_progress=False
    )
    summary = ingest_summary(result, counts, load_s)
    assert summary["reconciles"] and summary["totals"]["rejected"] >= 5
    spec = load_task("recommend").model_copy(update={"models": ("popularity", "bpr-mf")})
    run = train_task(driver, "neo4j", spec, 7, "cpu", run_dir / "models", **FAST)  # type: ignore[arg-type]
    assert run.model_dir is not None
    score_task(driver, "neo4j", run.model_dir, run_dir / "recommend_scores.csv", top=5)
    md = task_markdown("recommend", run.report, task_plots("recommend", run.report, run_dir))
    write_report(run_dir, {"ingestion": summary, "recommend": run.report}, md)

    files = [Path(d) / f for d, _, names in os.walk(run_dir) for f in names]
    folders = [run_dir] + [Path(d) / n for d, names, _ in os.walk(run_dir) for n in names]
    names = {f.name for f in files}
    assert {"rejects.csv", "report.json", "report.md", "recommend_scores.csv"} <= names
    assert {"manifest.json", "keys.json", "tensors.pt"} <= names and any(
        n.endswith(".png") for n in names
    )
    loose = {str(p): oct(stat.S_IMODE(p.lstat().st_mode)) for p in files if not p.is_symlink()}
    assert {p: m for p, m in loose.items() if m != "0o600"} == {}
    assert {str(d): oct(stat.S_IMODE(d.stat().st_mode)) for d in folders
            if stat.S_IMODE(d.stat().st_mode) & 0o077} == {}  # fmt: skip

    raw = _raw_identifiers(messy_data)
    assert len(raw) > 3_000
    rejects = (run_dir / "rejects.csv").read_text()
    assert rejects.count("\n") > 700  # the built-in data's dropped phones and the messy rows
    for path in files:
        if path.is_symlink():
            continue
        blob = path.read_bytes().decode("latin-1")  # binary files too: raw bytes as text
        leaked = sorted(v for v in raw if v in blob)
        assert leaked == [], f"{path.relative_to(run_dir)} holds raw identifiers: {leaked[:5]}"
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # tensors and images: checked for exact raw values above
        hits = _looks_personal(text)
        assert hits == [], f"{path.relative_to(run_dir)} holds personal-looking text: {hits[:5]}"
