"""Customer accounts that belong to one person: blocking, rule-weighted scoring, app evidence.

Precision comes first: a wrong SAME_AS merges two customers' order histories, and fraud rings are
*different* people who share devices, cards, addresses and IPs. So the names must agree before
anything else counts (the gate), and identifiers - the same mailbox, phone or home address - then
supply the evidence. A shared device only ever adds to a name-gated pair; it never decides one.

App accounts have no profile. They are tied to a web shop account by what the orders prove: an
order the app user placed in the app is the web shop account's order (``app-order``); failing
that, a device seen only on those two accounts (``app-device``, optional).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from cartograph.errors import ConfigError
from extraction.resolve.match import Match, dedupe_best
from extraction.resolve.people import (
    Agreement,
    NameMatch,
    Profile,
    compare_address,
    compare_email,
    compare_names,
    compare_phone,
    email_mentions_name,
    parse_profile,
)
from extraction.resolve.phonetic import soundex
from graph.records import RelRecord

USER = "User"
DEFAULT_USER_THRESHOLD = 0.6
MAX_BLOCK = 40  # a key shared by more accounts than this is too common to say anything


@dataclass(frozen=True, slots=True)
class UserWeights:
    """Log-odds weights: roughly log(P(field outcome | same) / P(field outcome | different)).

    They were set by hand from what each outcome means (a shared mailbox or phone is near proof,
    a different phone is strong counter-evidence) and checked on one generated seed.
    """

    email: float = 6.0
    phone: float = 6.0
    address: float = 5.0
    phone_conflict: float = -6.0
    address_conflict: float = -5.0
    name_exact: float = 2.0
    name_close: float = 1.0
    email_name: float = 1.0
    device: float = 2.0
    bias: float = -5.0


def resolve_users(
    profiles: dict[tuple[str, str], dict[str, Any]],
    rels: list[RelRecord],
    threshold: float = DEFAULT_USER_THRESHOLD,
    weights: UserWeights | None = None,
    app_device: bool = True,
) -> list[Match]:
    """SAME_AS candidates among ``User`` accounts, sorted by key pair.

    ``profiles`` are the mapping engine's ``Extracted.profiles``; ``rels`` supply the order and
    device evidence. Profile pairs need ``score >= threshold``; app links are added as found.
    """
    if not 0.0 < threshold <= 1.0:
        raise ConfigError(f"user match threshold {threshold} must be in (0, 1]", code="E130")
    w = weights or UserWeights()
    parsed = [
        parse_profile(key, raw) for (label, key), raw in sorted(profiles.items()) if label == USER
    ]
    devices = _shared_devices(rels)
    matches = []
    for a, b in candidate_pairs(parsed):
        match = score_pair(a, b, w, devices)
        if match is not None and match.score >= threshold:
            matches.append(match)
    matches.extend(app_matches(rels, app_device))
    return dedupe_best(matches)


def blocking_keys(p: Profile) -> list[str]:
    """Keys two accounts of one person are likely to share, whatever else differs."""
    keys = []
    if p.mailbox:
        keys.append(f"e:{p.mailbox}")
    if len(p.email_local) >= 4:
        keys.append(f"l:{p.email_local}")
    if p.phone:
        keys.append(f"p:{p.phone}")
    if p.number and p.postcode:
        keys.append(f"a:{p.postcode}|{p.number}")
    if p.number and p.street:
        keys.append(f"s:{p.street[:5]}|{p.number}")
    if p.family:
        keys.append(f"n:{soundex(p.family)}|{p.initial}")
        keys.append(f"f:{p.family}|{p.postcode or p.city}")
    return keys


def candidate_pairs(profiles: list[Profile]) -> list[tuple[Profile, Profile]]:
    """Pairs sharing at least one blocking key in a block of at most ``MAX_BLOCK`` accounts."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(profiles):
        for key in dict.fromkeys(blocking_keys(p)):
            blocks[key].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if 2 <= len(members) <= MAX_BLOCK:
            pairs.update(combinations(members, 2))
    return [(profiles[i], profiles[j]) for i, j in sorted(pairs)]


def score_pair(
    a: Profile, b: Profile, w: UserWeights, devices: dict[str, set[str]] | None = None
) -> Match | None:
    """The weighted evidence for one pair as a Match, or None when the names disagree."""
    name = compare_names(a, b)
    if name is NameMatch.NONE:
        return None
    outcomes = {
        "email": compare_email(a, b),
        "phone": compare_phone(a, b),
        "address": compare_address(a, b),
    }
    if name is NameMatch.FAMILY and not _family_only_allowed(outcomes):
        return None
    total, evidence = 0.0, []
    for field, outcome in outcomes.items():
        if outcome is Agreement.AGREE:
            total += getattr(w, field)
            evidence.append(field)
        elif outcome is Agreement.CONFLICT:
            total += getattr(w, f"{field}_conflict", 0.0)
    if email_mentions_name(a, b) or email_mentions_name(b, a):
        total += w.email_name
    if devices and devices.get(a.key, set()) & devices.get(b.key, set()):
        total += w.device
        evidence.append("device")
    total += {NameMatch.EXACT: w.name_exact, NameMatch.CLOSE: w.name_close}.get(name, 0.0)
    evidence.append("name" if name is not NameMatch.FAMILY else "family")
    return Match.of(USER, a.key, b.key, _sigmoid(total + w.bias), "+".join(evidence))


def _family_only_allowed(outcomes: dict[str, Agreement]) -> bool:
    """Same family name but other given names: a relative unless the very mailbox is shared too.

    Relatives share a home and a landline, seldom a mailbox; a typo'd given name ("Apul" for
    "Paul") still gets through when the mailbox and the phone or address agree.
    """
    agree = {field for field, outcome in outcomes.items() if outcome is Agreement.AGREE}
    return "email" in agree and bool(agree & {"phone", "address"})


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _shared_devices(rels: Iterable[RelRecord], max_users: int = 4) -> dict[str, set[str]]:
    """User -> devices that at most ``max_users`` accounts used (a busy device says nothing)."""
    users: dict[str, set[str]] = defaultdict(set)
    for r in rels:
        if r.type == "USED_DEVICE" and r.start_label == USER:
            users[r.end_key].add(r.start_key)
    out: dict[str, set[str]] = defaultdict(set)
    for device, members in users.items():
        if 2 <= len(members) <= max_users:
            for user in members:
                out[user].add(device)
    return out


def app_matches(rels: list[RelRecord], use_devices: bool = True) -> list[Match]:
    """App account -> web shop account, from orders placed in the app (and optionally devices)."""
    placed = {r.end_key: r.start_key for r in rels if r.type == "PLACED" and r.start_label == USER}
    by_app: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rels:
        if r.type == "PLACED_IN_APP" and r.end_key in placed:
            by_app[r.start_key][placed[r.end_key]] += 1
    out = []
    for app_user, owners in sorted(by_app.items()):
        owner, n = max(owners.items(), key=lambda kv: (kv[1], kv[0]))
        if owner != app_user and n * 3 >= 2 * sum(owners.values()):
            out.append(Match.of(USER, app_user, owner, 1.0, "app-order"))
    if use_devices:
        linked = {m.key_a if m.key_a.startswith("app:") else m.key_b for m in out}
        out.extend(_app_device_matches(rels, linked))
    return out


def _app_device_matches(rels: list[RelRecord], linked: set[str]) -> list[Match]:
    """An unlinked app account whose devices were used by exactly one other account, a web shop
    one, and by no other app account: the web shop orders placed from that phone are its own."""
    users: dict[str, set[str]] = defaultdict(set)
    for r in rels:
        if r.type == "USED_DEVICE" and r.start_label == USER:
            users[r.end_key].add(r.start_key)
    others: dict[str, set[str]] = defaultdict(set)
    for members in users.values():
        apps = [u for u in members if u.startswith("app:")]
        if len(apps) == 1 and apps[0] not in linked:
            others[apps[0]].update(u for u in members if u != apps[0])
    out = []
    for app_user, owners in sorted(others.items()):
        if len(owners) == 1 and next(iter(owners)).startswith("webshop:"):
            out.append(Match.of(USER, app_user, next(iter(owners)), 0.9, "app-device"))
    return out
