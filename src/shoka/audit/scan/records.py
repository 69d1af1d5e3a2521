"""Personal records and the people behind them.

A **record** is a row or a letter that carries personal data about someone: it has at least
one identifying attribute (name, reading, patron number, My Number) and at least one more
attribute from :data:`ATTRIBUTES`. A **person** is a group of records that share a key
(docs/audit.md, "Counting people"): the same patron number or My Number, or the same name
(or, without a name, the same reading) together with the same birth date, phone number,
e-mail address or address. Records with nothing but a name (no number, no details)
group by the name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from shoka.audit.scan import places

ATTRIBUTES: Final = (
    "name",
    "kana",
    "address",
    "postal_code",
    "phone",
    "email",
    "birth_date",
    "age",
    "guardian",
    "my_number",
    "patron_id",
    "loan_title",
    "loan_date",
)
IDENTIFYING: Final = frozenset({"name", "kana", "patron_id", "my_number"})
# Person keys kept per unit (about 100 bytes each): exact counts up to here.
MAX_KEYS: Final = 1_000_000
_NOT_DIGITS: Final = re.compile(r"[^0-9]")


@dataclass(slots=True)
class Record:
    """What one row or letter says about one person (values already normalised)."""

    attributes: set[str] = field(default_factory=set)
    name: str = ""
    kana: str = ""
    patron_id: str = ""
    my_number: str = ""
    birth_date: str = ""
    phone: str = ""
    email: str = ""
    postal_code: str = ""
    address: str = ""
    area: str | None = None  # municipality of a fixed-line phone's area code

    def is_personal(self) -> bool:
        return len(self.attributes) >= 2 and not IDENTIFYING.isdisjoint(self.attributes)


class Tally:
    """The personal records of one unit: counts, attributes, people and origin."""

    def __init__(self) -> None:
        self.records = 0
        self.attributes: set[str] = set()
        self._parent: dict[int, int] = {}
        self.persons = 0
        self.persons_exact = True
        self._origin = places.OriginVote()

    def add(self, record: Record) -> bool:
        """Count ``record`` when it is personal; returns whether it was."""
        if not record.is_personal():
            return False
        self.records += 1
        self.attributes |= record.attributes
        self._join([hash(key) for key in _keys(record)])
        self._origin.add(record.postal_code or None, record.address or None, record.area)
        return True

    def institution(self, municipality: str) -> None:
        """A line of the unit names an institution of this municipality (the sender)."""
        self._origin.institution(municipality)

    def origin(self) -> str | None:
        return self._origin.origin()

    # Union-find over the hashes of person keys; ``persons`` is the number of components.
    def _find(self, node: int) -> int:
        parent = self._parent
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    def _join(self, nodes: list[int]) -> None:
        parent = self._parent
        if len(parent) >= MAX_KEYS:
            # Memory stays bounded: past the limit no new key is stored. A record none of
            # whose keys is known counts as a new person, so the count becomes an upper bound.
            self.persons_exact = False
            nodes = [node for node in nodes if node in parent]
            if not nodes:
                self.persons += 1
                return
        roots = set()
        for node in nodes:
            if node not in parent:
                parent[node] = node
                self.persons += 1
            roots.add(self._find(node))
        first, *others = roots
        for other in others:
            parent[other] = first
            self.persons -= 1


def _keys(record: Record) -> list[tuple[str, str, str]]:
    keys = []
    if record.patron_id:
        keys.append(("id", "", record.patron_id.replace(" ", "")))
    if record.my_number:
        keys.append(("mn", "", _NOT_DIGITS.sub("", record.my_number)))
    who = (record.name or record.kana).replace(" ", "").replace("　", "")
    if who:
        details = (
            ("birth", record.birth_date),
            ("phone", _NOT_DIGITS.sub("", record.phone)),
            ("email", record.email.lower()),
            ("address", record.address.replace(" ", "").replace("　", "")),
        )
        named = [(kind, who, value) for kind, value in details if value]
        keys += named or ([] if keys else [("name", who, "")])
    return keys
