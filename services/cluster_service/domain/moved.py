"""Old topics of aggregates that moved: stored events and snapshots name their class by topic
(module and class name), so a class that moves keeps answering to the topic it was saved under.
"""

from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import register_topic


def answer_to_old_topics(old_module: str, *classes: type) -> None:
    """Register each aggregate class, and the event classes it defines, under `old_module`."""
    for cls in classes:
        register_topic(f"{old_module}:{cls.__qualname__}", cls)
        for value in vars(cls).values():
            if isinstance(value, type) and issubclass(value, CanMutateAggregate):
                register_topic(f"{old_module}:{value.__qualname__}", value)
