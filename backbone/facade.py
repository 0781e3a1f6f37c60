"""StoreFacade: the shape every service's application (application/app.py) has.

A service's application is a facade: `store` is the service's one eventsourcing Application
(storage and commit); each use case is the method of a use-case object that bootstrap built,
bound by the facade's constructor in one line, so that routes, handlers and tools call
`app.<use case>`. It holds no logic. Here: the store's parts that tests and tools read
(`factory`, `recorder`, `mapper`, `repository`) and `close()`.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar
from uuid import UUID

from eventsourcing.application import Application, Repository
from eventsourcing.persistence import ApplicationRecorder, InfrastructureFactory, Mapper

S = TypeVar("S", bound=Application[UUID])


class StoreFacade(Generic[S]):
    """A service's application on its store `S`; see the module docstring."""

    def __init__(self, store: S) -> None:
        self.store: S = store
        """The service's eventsourcing Application: its storage and its commit."""

    @property
    def factory(self) -> InfrastructureFactory[Any]:
        return self.store.factory

    @property
    def recorder(self) -> ApplicationRecorder:
        return self.store.recorder

    @property
    def mapper(self) -> Mapper[UUID]:
        return self.store.mapper

    @property
    def repository(self) -> Repository[UUID]:
        return self.store.repository

    def close(self) -> None:
        self.store.close()
