"""Every file in cypher/queries/ and cypher/service/ runs on the loaded marketplace graph and
returns the columns its header promises; the key analyst queries find what was planted."""

import pytest

from cypher.spec import QuerySpec, bind, catalogue

ANALYST = catalogue("queries")
SERVICE = catalogue("service")


def _params(spec: QuerySpec, mp) -> dict:
    known = {
        "identifier": mp.ring,
        "order": mp.order,
        "user": mp.user,
        "label": "User",
        "key": mp.user,
        "pairs": [{"i": 0, "source": mp.user, "target": mp.recommended[0], "type": "RECOMMENDED"}],
        "card": mp.ring,  # service/checkout_* (real-time order risk)
        "products": [mp.bought],
    }
    return bind(spec, {p.name: known[p.name] for p in spec.params if p.name in known})


def _run(mp, spec: QuerySpec):
    records, _, keys = mp.driver.execute_query(spec.text, _params(spec, mp), routing_="r")
    return records, keys


@pytest.mark.parametrize("spec", [*ANALYST.values(), *SERVICE.values()], ids=lambda s: s.name)
def test_query_runs_read_only_with_its_declared_columns(marketplace, spec: QuerySpec) -> None:
    records, keys = _run(marketplace, spec)
    assert tuple(keys) == spec.returns
    # every query has something to show on this graph (scores were planted by the fixture)
    assert records, f"{spec.name} returned no rows"


def test_rings_are_sorted_and_respect_min_users(marketplace) -> None:
    spec = ANALYST["shared_identifier_rings"]
    records, _, _ = marketplace.driver.execute_query(
        spec.text, bind(spec, {"min_users": 4, "kind": "Card"})
    )
    users = [r["users"] for r in records]
    assert users and min(users) >= 4 and users == sorted(users, reverse=True)
    assert {r["kind"] for r in records} == {"Card"}
    assert all(r["identifier"].startswith("card:") for r in records)  # pseudonymous keys only


def test_accounts_near_fraud_grow_with_hops(marketplace) -> None:
    spec = ANALYST["accounts_near_fraud"]
    counts = []
    for hops in (1, 3):
        records, _, _ = marketplace.driver.execute_query(
            spec.text, bind(spec, {"hops": hops, "limit": 1000})
        )
        assert all(r["distance"] <= hops for r in records)
        counts.append(len(records))
    assert 0 < counts[0] < counts[1]


def test_recommendation_paths_is_empty_without_recommendations(marketplace) -> None:
    spec = ANALYST["recommendation_paths"]
    other = marketplace.driver.execute_query(
        "MATCH (u:User) WHERE NOT (u)-[:RECOMMENDED]->() RETURN u.key AS k LIMIT 1"
    )[0][0]["k"]
    records, _, _ = marketplace.driver.execute_query(spec.text, bind(spec, {"user": other}))
    assert records == []
    records, _, _ = marketplace.driver.execute_query(
        spec.text, bind(spec, {"user": marketplace.user})
    )
    assert {r["product"] for r in records} <= {*marketplace.recommended, marketplace.bought}
    assert {r["reason"] for r in records} <= {
        "same_category", "same_brand", "compatible_with", "co_purchased"
    }  # fmt: skip
