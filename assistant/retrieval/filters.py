"""Retrieval filters (documents, kinds, date range): one definition, two targets.

`conditions` is the definition: a filter as (metadata field, operator, value) triples in Chroma's
operator vocabulary. `chroma_where` sends them to Chroma (the vector side); `matches` evaluates
the same triples on a chunk's metadata (the lexical side). The contract test runs one table of
cases through Chroma (embedded and server) and through `matches`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from assistant.types import RetrievalFilter, date_key

Condition = tuple[str, str, Any]

# Chroma's operators, evaluated in Python for the lexical side.
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "$in": lambda value, allowed: value in allowed,
    "$gte": operator.ge,
    "$lte": operator.le,
    "$eq": operator.eq,
}


def conditions(filters: RetrievalFilter | None) -> list[Condition]:
    """The filter as (field, operator, value) triples, all of which must hold."""
    if filters is None or filters.empty:
        return []
    out: list[Condition] = []
    if filters.doc_ids:
        out.append(("doc_id", "$in", list(filters.doc_ids)))
    if filters.kinds:
        out.append(("kind", "$in", list(filters.kinds)))
    if filters.date_from:
        out.append(("date_key", "$gte", date_key(filters.date_from)))
    if filters.date_to:
        out.append(("date_key", "$lte", date_to_key(filters.date_to)))
    return out


def chroma_where(filters: RetrievalFilter | None) -> dict[str, Any] | None:
    """The Chroma `where` clause for a filter (None when it filters nothing)."""
    clauses = [{field: {op: value}} for field, op, value in conditions(filters)]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def matches(filters: RetrievalFilter | None, meta: dict[str, Any]) -> bool:
    """Whether a chunk's metadata passes the filter: `chroma_where`, evaluated in Python."""
    return all(
        field in meta and _OPERATORS[op](meta[field], value)
        for field, op, value in conditions(filters)
    )


def date_to_key(date: str) -> int:
    """Inclusive upper bound: '2011' means up to 2011-12-31, '2011-05' up to 2011-05-31."""
    parts = date.split("-")
    if len(parts) == 1:
        return date_key(date) + 1130
    if len(parts) == 2:
        return date_key(date) + 30
    return date_key(date)
