"""Checking a chained log: `shoka audit verify`."""

from __future__ import annotations

from dataclasses import dataclass

from shoka.security.keyring import get_keyring

from .log import CHAINS, GENESIS, canonical, chain_hash
from .models import ChainHead


@dataclass(frozen=True)
class Problem:
    chain: str
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"#{self.seq}" if self.seq is not None else "head"
        return f"{self.chain} log {where}: {self.message}"


@dataclass(frozen=True)
class ChainReport:
    chain: str
    rows: int
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(chain: str, *, max_problems: int = 50) -> ChainReport:
    model = CHAINS[chain]
    key = get_keyring().audit_key
    problems: list[Problem] = []
    expected_seq, prev, rows = 1, GENESIS, 0
    fields = (
        "seq",
        "at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "data",
        "prev_hash",
        "hash",
    )
    for row in model.objects.order_by("seq").values_list(*fields).iterator(chunk_size=5000):
        seq, at, actor, action, otype, oid, data, prev_hash, digest = row
        rows += 1
        if seq != expected_seq:
            problems.append(
                Problem(
                    chain,
                    seq,
                    f"sequence jumps from {expected_seq - 1} to {seq} (rows removed or inserted)",
                )
            )
        if prev_hash != prev:
            problems.append(Problem(chain, seq, "does not link to the previous row"))
        if (
            chain_hash(key, prev_hash, canonical(seq, at, actor, action, otype, oid, data))
            != digest
        ):
            problems.append(Problem(chain, seq, "content does not match its hash (row edited)"))
        prev, expected_seq = digest, seq + 1
        if len(problems) >= max_problems:
            break
    head = ChainHead.objects.filter(chain=chain).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if len(problems) < max_problems and (head_seq != expected_seq - 1 or head_hash != prev):
        problems.append(
            Problem(
                chain,
                None,
                f"the chain head records #{head_seq} but the log "
                f"ends at #{expected_seq - 1} (rows removed or appended)",
            )
        )
    return ChainReport(chain, rows, problems)


def verify_all() -> list[ChainReport]:
    return [verify_chain(chain) for chain in CHAINS]
