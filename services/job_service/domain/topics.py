"""Old topics of aggregates that moved, so that the events stored under them are still read.

eventsourcing stores each event with its topic, `module:QualifiedName` of its class. Moving an
aggregate to another module changes the topics of its new events but not of the stored ones:
each moved aggregate registers the topics it had, for itself and each of its event classes.
"""

from __future__ import annotations

from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.utils import register_topic


def keep_old_topics(old_module: str, aggregate: type[Aggregate]) -> None:
    """Resolve `old_module:Name` (and `old_module:Name.Event`, ...) to the moved classes."""
    register_topic(f"{old_module}:{aggregate.__qualname__}", aggregate)
    for value in vars(aggregate).values():
        if isinstance(value, type) and issubclass(value, CanMutateAggregate):
            register_topic(f"{old_module}:{value.__qualname__}", value)
