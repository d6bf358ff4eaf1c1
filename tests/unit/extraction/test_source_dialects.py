"""Bad input that should stop a run early: CSV dialects, the header check, the reject share."""

from pathlib import Path

import pytest

from cartograph.errors import ConfigError, TooManyRejectsError
from extraction.ingest import ingest
from extraction.mapping import load_mapping
from extraction.pseudonymise import Pseudonymiser
from extraction.sources import CsvDialect, read_rows, sniff_delimiter

PSEUDO = Pseudonymiser(b"dialect-test-secret-0123456789ab")
MAPPING = """
version: 1
sources:
  users:
    path: users.csv
    record_id: id
    {options}
    nodes:
      user: {{label: User, key: "shop:{{{id_col}}}", props: {{city: city}}}}
"""


def _setup(tmp_path: Path, text: str, options: str = "", id_col: str = "id", enc: str = "utf-8"):
    (tmp_path / "users.csv").write_bytes(text.encode(enc))
    mapping = tmp_path / "m.yaml"
    mapping.write_text(MAPPING.format(options=options, id_col=id_col))
    return load_mapping(mapping)


@pytest.mark.parametrize(
    ("header", "expected"),
    [("id,city", ","), ("id;city;name", ";"), ("id\tcity", "\t"), ("id|city", "|"), ("id", ",")],
)
def test_delimiter_is_sniffed_from_the_header(header: str, expected: str) -> None:
    assert sniff_delimiter(header + "\n") == expected


def test_semicolon_csv_loads_sniffed_and_with_the_option(tmp_path: Path) -> None:
    text = "id;city\n1;Lyon\n2;Paris, Texas\n"
    for options in ("", 'delimiter: ";"'):
        m = _setup(tmp_path, text, options)
        result = ingest(m, PSEUDO, tmp_path / "rejects.csv")
        assert result.totals.loaded == 2 and result.totals.rejected == 0
        cities = sorted(n.props["city"] for n in result.nodes)
        assert cities == ["Lyon", "Paris, Texas"]


def test_quote_and_encoding_options(tmp_path: Path) -> None:
    text = "id,city\n1,'Saint-Étienne, Loire'\n"
    m = _setup(tmp_path, text, 'quotechar: "\'"\n    encoding: latin-1', enc="latin-1")
    rows = list(read_rows(m.sources["users"].path, "csv", CsvDialect(None, "'", "latin-1")))
    assert rows[0][1] == {"id": "1", "city": "Saint-Étienne, Loire"}
    assert ingest(m, PSEUDO, tmp_path / "r.csv").totals.loaded == 1


def test_unknown_encoding_is_a_mapping_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[E103\].*encoding.*no-such-codec"):
        _setup(tmp_path, "id\n1\n", "encoding: no-such-codec")


def test_a_misspelt_column_stops_before_any_row(tmp_path: Path) -> None:
    m = _setup(tmp_path, "id,city\n1,Lyon\n", id_col="user_id")
    with pytest.raises(ConfigError) as err:
        ingest(m, PSEUDO, tmp_path / "rejects.csv")
    msg = str(err.value)
    assert "[E108]" in msg and "'user_id'" in msg and "users.csv" in msg and "['id', 'city']" in msg


def test_a_wrong_delimiter_is_caught_by_the_header_check(tmp_path: Path) -> None:
    m = _setup(tmp_path, "id;city\n1;Lyon\n", 'delimiter: ","')
    with pytest.raises(ConfigError, match=r"\[E108\].*'city'.*\['id;city'\]"):
        ingest(m, PSEUDO, tmp_path / "rejects.csv")


def test_over_the_reject_share_nothing_is_returned_but_rejects_are_written(tmp_path: Path) -> None:
    m = _setup(tmp_path, "id,city\n,Lyon\n,Nice\n3,Paris\n")  # two keys missing: 67 % rejected
    with pytest.raises(TooManyRejectsError, match=r"\[E401\] 2 of 3 records rejected \(67%"):
        ingest(m, PSEUDO, tmp_path / "rejects.csv", max_reject_share=0.5)
    assert len((tmp_path / "rejects.csv").read_text().splitlines()) == 3  # header + 2 rows
    assert ingest(m, PSEUDO, tmp_path / "r2.csv", max_reject_share=0.7).totals.loaded == 1
