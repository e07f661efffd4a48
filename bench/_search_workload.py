"""What users type into search, per tenant, written from a sample of the tenant's own records
so queries find something: a dispatcher's "ford trnsit hel", a plate without its dash, the
last six digits of an IMEI, a VIN's end, a driver's surname with a typo, a depot, an alert
code, browsing by facets; and for suggest, the same queries cut where a keystroke is.
"""

from __future__ import annotations

import json
import random
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from _load import Planned
from _search_data import size_class
from _search_seed import SeededTenant

SEARCH = "/api/v1/search"
SUGGEST = "/api/v1/search/suggest"
# (kind, weight) of searches, as a dispatcher's day mixes them
SEARCH_KINDS: tuple[tuple[str, int], ...] = (
    ("dispatcher", 20),  # "ford trnsit hel": make, model with a typo, a depot's prefix
    ("model+facets", 12),  # "sprinter" with five facets
    ("plate", 14),  # "abc123": the plate without its dash
    ("imei-end", 8),  # the last six digits of a tracker's IMEI
    ("vin-end", 5),  # the last eight characters of a VIN
    ("driver", 12),  # a surname, sometimes with a typo, sometimes first name + prefix
    ("place", 8),  # "hameenlinna", "tikkurila" (accents left out)
    ("browse", 12),  # no words: make and status filters, facet counts (a list screen)
    ("alert", 5),  # "P0420", "misfire"
    ("booking", 4),  # "asiakaskäynti espoo"
)
TYPO_WORDS = ("transit", "sprinter", "crafter", "transporter", "corolla", "daily")


def typo(word: str, rng: random.Random) -> str:
    """One edit a hurried typist makes in a word of five letters or more: a letter left out,
    doubled, or two swapped."""
    if len(word) < 5 or not word.isalpha():
        return word
    at = rng.randrange(1, len(word) - 1)
    edit = rng.random()
    if edit < 0.5:
        return word[:at] + word[at + 1 :]
    if edit < 0.75:
        return word[:at] + word[at] + word[at:]
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


@dataclass
class TenantQueries:
    """One tenant's searches and keystrokes, with what an identifier should find first."""

    tenant: SeededTenant
    searches: list[tuple[str, str, str | None]] = field(default_factory=list)  # kind, path, id
    suggests: list[tuple[str, str]] = field(default_factory=list)  # kind, path

    @property
    def size_class(self) -> str:
        return "largest" if self.tenant.documents >= 150_000 else size_class(self.tenant.documents)


def _words(text: str) -> list[str]:
    return [w for w in text.replace("-", " ").split() if w]


def tenant_queries(
    tenant: SeededTenant, sample: dict[str, list[tuple[object, ...]]], rng: random.Random, n: int
) -> TenantQueries:
    out = TenantQueries(tenant)
    vehicles = sample["vehicles"]
    kinds, weights = zip(*SEARCH_KINDS, strict=True)
    for _ in range(n):
        kind = rng.choices(kinds, weights=weights)[0]
        q, params, expect = _search(kind, sample, rng)
        query = {"q": q, **params} if q is not None else params
        out.searches.append((kind, f"{SEARCH}?{urlencode(query, doseq=True)}", expect))
        typed = q or str(rng.choice(vehicles)[3])
        out.suggests.append(_keystroke(kind, typed, rng))
    return out


def _search(
    kind: str, sample: dict[str, list[tuple[object, ...]]], rng: random.Random
) -> tuple[str | None, dict[str, object], str | None]:
    plate, vin, make, model, depot, vehicle_id = rng.choice(sample["vehicles"])
    place = str(depot or "Helsinki depot").split()[0]
    if kind == "dispatcher":
        model_words = [typo(w.lower(), rng) for w in _words(str(model))]
        q = " ".join([str(make).split("-")[0].lower(), *model_words, place[:3].lower()])
        return q, {"facets": "status,make"}, None
    if kind == "model+facets":
        word = rng.choice(TYPO_WORDS) if rng.random() < 0.5 else _words(str(model))[0].lower()
        return word, {"facets": "status,make,model,type,group"}, None
    if kind == "plate":
        return str(plate).replace("-", "").replace(" ", "").lower(), {}, str(vehicle_id)
    if kind == "imei-end":
        (imei,) = rng.choice(sample["devices"])
        return str(imei)[-6:], {}, None
    if kind == "vin-end" and vin:
        return str(vin)[-8:], {}, str(vehicle_id)
    if kind in ("driver", "vin-end"):
        (name,) = rng.choice(sample["drivers"])
        first, last = str(name).split(" ", 1)
        roll = rng.random()
        if roll < 0.4:
            return typo(last.lower(), rng), {"types": "driver"}, None
        if roll < 0.7:
            return f"{first} {last[:4]}", {}, None
        return last, {"facets": "types,status"}, None
    if kind == "place":
        district = str(rng.choice(sample["depots"])[0]).split()[-2]
        return district.lower().translate(str.maketrans("äöå", "aoa")), {"facets": "types"}, None
    if kind == "browse":
        params: dict[str, object] = {"types": "vehicle", "make": make, "status": "active"}
        params["facets"] = "status,make,model,type"
        if rng.random() < 0.3:
            params["group_id"] = str(rng.choice(sample["depots"])[1])
        return None, params, None
    if kind == "alert":
        return rng.choice(("P0420", "P0301", "misfire", "coolant", "fuel low")), {}, None
    return rng.choice(("asiakaskäynti", "leverans", "tavarantoimitus")) + f" {place}", {}, None


def _keystroke(kind: str, typed: str, rng: random.Random) -> tuple[str, str]:
    """The query as it stood at some keystroke (two characters at least)."""
    cut = rng.randint(min(2, len(typed)), len(typed))
    return kind, f"{SUGGEST}?{urlencode({'q': typed[:cut]})}"


class SearchMix:
    """Requests across tenants: each size class gets an equal share (the largest tenant is a
    class of its own), so every row of the report rests on enough requests."""

    def __init__(self, tenants: Sequence[TenantQueries], op: str, rng: random.Random) -> None:
        self.op = op
        self.rng = rng
        self.by_class: dict[str, list[TenantQueries]] = {}
        for tq in tenants:
            self.by_class.setdefault(tq.size_class, []).append(tq)
        self.classes = sorted(self.by_class)
        self.expected: dict[str, str] = {}
        self.found_first: Counter[str] = Counter()
        self.empty: Counter[str] = Counter()
        self.answered: Counter[str] = Counter()

    def next(self) -> Planned:
        cls = self.rng.choice(self.classes)
        tq = self.rng.choice(self.by_class[cls])
        if self.op == "search":
            kind, path, expect = self.rng.choice(tq.searches)
            if expect is not None:
                self.expected[path] = expect
        else:
            kind, path = self.rng.choice(tq.suggests)
        return Planned(f"{self.op}|{cls}|{kind}", "GET", path, tq.tenant.headers)

    def on_response(self, planned: Planned, status: int, body: bytes) -> None:
        if status != 200:
            return
        kind = planned.kind.split("|", 2)[2]
        self.answered[kind] += 1
        items = json.loads(body).get("items", [])
        if not items:
            self.empty[kind] += 1
        expect = self.expected.get(planned.path)
        if expect is not None and items and items[0]["id"] == expect:
            self.found_first[kind] += 1


def probe_token() -> str:
    """A word no document holds yet, not even from an earlier run (letters only, so it is
    never taken for an identifier)."""
    fresh = random.SystemRandom()
    return "probe" + "".join(fresh.choices("bcdfghjklmnpqrstvwxz", k=10))


def as_uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
