"""How work is grouped, written once for every stage, the engines and the server.

- :func:`plan_batches`: model batches, longest inputs first, under a budget of padded
  tokens (what a batch costs a model).
- :func:`windows`: consecutive items under a budget and a count, in order, an item over the
  budget alone (windows of documents, jobs for engines, the server's micro-batches).
- :func:`flatten` / :meth:`Flat.regroup`: the items of many owners as one call's input, and
  the outputs given back to their owners.
- :func:`isolate`: run a group together; should it raise, run each member alone, so an error
  is charged to the member that caused it. :class:`Attempts` is the same rule for engines
  whose workers can die.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from .errors import ModelLoadError, UsageError

log = logging.getLogger(__name__)

T = TypeVar("T")
U = TypeVar("U")
K = TypeVar("K", bound=Hashable)


def plan_batches(lengths: Sequence[int], batch_size: int, max_tokens: int) -> list[list[int]]:
    """Indices of the inputs grouped into batches, longest first.

    A batch holds at most ``batch_size`` inputs and at most ``max_tokens`` padded tokens
    (its longest input times its size); an input longer than the budget goes alone.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i], reverse=True)
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        longest = lengths[current[0]] if current else lengths[i]
        if current and (len(current) >= batch_size or longest * (len(current) + 1) > max_tokens):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def windows(
    items: Iterable[T],
    cost: Callable[[T], int],
    max_cost: int,
    max_items: int | None = None,
    *,
    first: int | None = None,
) -> Iterator[list[T]]:
    """``items`` cut, in order and lazily, into runs of at most ``max_items`` whose costs
    sum to at most ``max_cost``; an item over the budget makes a run of its own. With
    ``first``, the first run holds at most that many items (a quick start: the first
    results come soon) and the next ones up to ``max_items``: a ramp of growing runs
    would cost the stages their batching (a 20-document folder took 1.19 times the raw
    engine's time with runs doubling from 1, 1.02 with this)."""
    if max_cost < 1 or (max_items is not None and max_items < 1) or (first or 1) < 1:
        raise UsageError("window sizes must be at least 1")
    limit = max_items if first is None else min(first, max_items or first)
    window: list[T] = []
    used = 0
    for item in items:
        spent = cost(item)
        if window and ((limit is not None and len(window) >= limit) or used + spent > max_cost):
            yield window
            window, used = [], 0
            limit = max_items
        window.append(item)
        used += spent
    if window:
        yield window


@dataclass(frozen=True)
class Flat(Generic[T]):
    """The items of many owners in one list, and how many belong to each owner."""

    items: list[T]
    sizes: list[int]

    def regroup(self, outputs: Sequence[U]) -> list[list[U]]:
        """``outputs`` (one per item, in order) given back to their owners."""
        if len(outputs) != len(self.items):
            raise ValueError(f"{len(outputs)} outputs for {len(self.items)} items")
        groups, start = [], 0
        for size in self.sizes:
            groups.append(list(outputs[start : start + size]))
            start += size
        return groups


def flatten(groups: Iterable[Sequence[T]]) -> Flat[T]:
    """Every group's items in one list, in order (see :meth:`Flat.regroup`)."""
    items: list[T] = []
    sizes: list[int] = []
    for group in groups:
        items.extend(group)
        sizes.append(len(group))
    return Flat(items, sizes)


def isolate(members: Sequence[K], run: Callable[[list[K]], list[T]]) -> dict[K, T | Exception]:
    """``run`` over all ``members`` at once (one output per member); should that raise, each
    member runs alone, so an error is charged to the member that caused it.

    A model that cannot be loaded fails every member the same way, and a usage error is
    the caller's, so neither is retried one by one (the latter propagates).
    """
    members = list(members)
    if not members:
        return {}
    try:
        return dict(zip(members, run(members), strict=True))
    except UsageError:
        raise
    except ModelLoadError as exc:
        return dict.fromkeys(members, exc)
    except Exception as exc:
        if len(members) == 1:
            return {members[0]: exc}
        log.info("a group of %d failed (%s): retrying one by one", len(members), exc)
    out: dict[K, T | Exception] = {}
    for member in members:
        try:
            out[member] = run([member])[0]
        except UsageError:
            raise
        except Exception as exc:
            out[member] = exc
    return out


class Attempts(Generic[T]):
    """:func:`isolate`'s rule for engines whose workers can die mid-job: the items of a job
    that died with its worker are run again alone (which one killed it is unknown); an
    item whose worker dies while it runs alone is charged, and given up after
    ``limit`` deaths."""

    def __init__(self, key: Callable[[T], Hashable], limit: int = 3):
        self.key = key
        self.limit = limit
        self._deaths: dict[Hashable, int] = {}

    def died(self, job: Sequence[T]) -> tuple[list[T], list[tuple[T, int]]]:
        """The items to run again (each alone), and the items given up with their number
        of deaths, after ``job``'s worker died."""
        if len(job) != 1:
            return list(job), []
        item = job[0]
        deaths = self._deaths[self.key(item)] = self._deaths.get(self.key(item), 0) + 1
        return ([], [(item, deaths)]) if deaths >= self.limit else ([item], [])
