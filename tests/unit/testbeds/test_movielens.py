"""MovieLens from a RecBole-shaped wheel: extraction, conversion, the mapping file, caching.

The wheel here is a tiny zip with the same member names and file formats, so these tests need
no network; the real wheel is fetched (or taken from the cache) by the integration test."""

import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from extraction.ingest import ingest
from extraction.mapping import load_mapping
from extraction.pseudonymise import Pseudonymiser
from testbeds import movielens
from testbeds.movielens import (
    MAPPING,
    MEMBER_DIR,
    PublicDataError,
    _extract,
    fetch_wheel,
    read_atomic,
    write_sources,
)

INTER = (
    "user_id:token\titem_id:token\trating:float\ttimestamp:float\n"
    "1\t10\t5\t881250949\n"
    "2\t10\t3\t881250950\n"
    "1\t11\t4\t881250951\n"
    "3\t12\t2\t881250952\n"
)
USER = (
    "user_id:token\tage:token\tgender:token\toccupation:token\tzip_code:token\n"
    "1\t24\tM\ttechnician\t85711\n"
    "2\t53\tF\tother\t94043\n"
    "3\t17\tM\tstudent\tT8H1N\n"
)
ITEM = (
    "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n"
    "10\tToy Story\t1995\tAnimation Children's Comedy\n"
    "11\tGoldenEye\t1995\tAction Adventure Thriller\n"
    "12\tunkonwn\tunkonwn\tunknown\n"
)


def fake_wheel(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in (
            ("ml-100k.inter", INTER),
            ("ml-100k.user", USER),
            ("ml-100k.item", ITEM),
        ):
            zf.writestr(MEMBER_DIR + name, text)
        zf.writestr("recbole/__init__.py", "")
    return path


def test_atomic_files_become_the_mapping_sources(tmp_path: Path) -> None:
    raw = _extract(fake_wheel(tmp_path / "w.whl"), tmp_path / "raw")
    assert sorted(p.name for p in raw.iterdir()) == [
        "ml-100k.inter",
        "ml-100k.item",
        "ml-100k.user",
    ]
    assert next(read_atomic(raw / "ml-100k.inter")) == {
        "user_id": "1",
        "item_id": "10",
        "rating": "5",
        "timestamp": "881250949",
    }
    counts = write_sources(raw, tmp_path / "out")
    assert counts == {"ratings": 4, "users": 3, "movies": 3, "movie_genres": 7}
    users = (tmp_path / "out" / "users.csv").read_text().splitlines()
    assert users[1] == "1,24,18-24,M,technician,8"
    assert users[3] == "3,17,under 18,M,student,non-US"
    # a slice keeps only the users and movies its ratings name
    assert write_sources(raw, tmp_path / "slice", max_ratings=2) == {
        "ratings": 2,
        "users": 2,
        "movies": 1,
        "movie_genres": 3,
    }


def test_the_mapping_file_loads_the_sources_into_records(tmp_path: Path) -> None:
    raw = _extract(fake_wheel(tmp_path / "w.whl"), tmp_path / "raw")
    write_sources(raw, tmp_path / "out")
    mapping = load_mapping(MAPPING, tmp_path / "out")
    result = ingest(mapping, Pseudonymiser(b"k" * 32), tmp_path / "rejects.csv")
    assert result.totals.rejected == 0
    assert all(c.reconciles() for c in result.counts.values())
    labels = {n.label for n in result.nodes}
    assert labels == {"Viewer", "Movie", "Genre", "Decade", "Occupation", "AgeGroup", "Gender"} | {
        "ZipArea"
    }
    rated = [r for r in result.rels if r.type == "RATED"]
    assert len(rated) == 4
    first = next(r for r in rated if (r.start_key, r.end_key) == ("ml:1", "ml:10"))
    assert first.props == {"rating": 5, "created_at": datetime.fromtimestamp(881250949, tz=UTC)}
    genres = {r.end_key for r in result.rels if r.type == "IN_GENRE" and r.start_key == "ml:10"}
    assert genres == {"ml:Animation", "ml:Children's", "ml:Comedy"}
    # the unreadable year of movie 12 is dropped and noted, not a rejected record
    assert result.field_issues == 1
    assert "unkonwn" in (tmp_path / "rejects.csv").read_text()


def test_a_cached_wheel_with_the_wrong_hash_is_refetched_and_failure_is_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_wheel(tmp_path / movielens.RECBOLE_WHEEL)  # right name, wrong bytes
    calls: list[list[str]] = []

    def pip(cmd: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        calls.append(cmd)
        if len(calls) == 1:  # "succeeds" but leaves the wrong file in place
            return subprocess.CompletedProcess(cmd, 0, "", "")
        return subprocess.CompletedProcess(cmd, 1, "", "ERROR: No matching distribution found")

    monkeypatch.setattr(movielens.subprocess, "run", pip)
    with pytest.raises(PublicDataError, match="E172"):
        fetch_wheel(tmp_path)
    assert "recbole==1.2.1" in calls[0] and "--no-deps" in calls[0]
    (tmp_path / movielens.RECBOLE_WHEEL).unlink()
    with pytest.raises(PublicDataError, match=r"E171.*No matching distribution"):
        fetch_wheel(tmp_path)


def test_prepared_folder_is_reused_from_its_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheel = fake_wheel(tmp_path / "w.whl")
    monkeypatch.setattr(movielens, "fetch_wheel", lambda _d: wheel)
    out = movielens.prepare_movielens(tmp_path / "data", max_ratings=3)
    assert out.name == "movielens-100k-first3"
    assert (out / "ratings.csv").read_text().count("\n") == 4

    def must_not_fetch(_d: Path) -> Path:
        raise AssertionError("fetched again although the manifest matches")

    monkeypatch.setattr(movielens, "fetch_wheel", must_not_fetch)
    assert movielens.prepare_movielens(tmp_path / "data", max_ratings=3) == out
