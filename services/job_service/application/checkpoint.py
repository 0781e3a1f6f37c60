"""Board checkpoints in the service's own event store, so a cold start reads little of the log.

A checkpoint is `DispatchBoard.checkpoint()` as JSON, zlib-compressed and cut into chunks of at
most `chunk_bytes` (a DynamoDB item holds 400 KB), then a small manifest naming the board's
position, the chunks and their checksum. Both are stored events of a recorder of their own
(`aggregate_recorder("board_checkpoints")`): on DynamoDB items `board_checkpoints#<id>`, never
notifications, so the relay publishes nothing of them and the board never reads them back.

- The chunks of one checkpoint are versions 1..n of a fresh random id, written a few per
  transaction (at most `chunks_per_write`, under DynamoDB's 4 MB and 100 items).
- The manifest is version `position` of one well-known id, written after every chunk: a reader
  takes the highest version, so it sees a whole checkpoint or the previous one, never half of
  one. A writer that dies between the chunks and the manifest leaves orphan chunks and the
  previous checkpoint in force; a newer checkpoint never reuses an id, so it cannot overwrite
  the chunks a manifest names. Two writers at one position: the second manifest conflicts and
  the first stands (they describe the same log).

Nothing is deleted: every checkpoint stays stored (the table keeps its events anyway), about
the compressed size of the open jobs' state per `BOARD_CHECKPOINT_EVERY` notifications.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from typing import Any, Final
from uuid import UUID, uuid4, uuid5

from eventsourcing.persistence import AggregateRecorder, StoredEvent

from job_service.application.board import CheckpointError

PURPOSE: Final = "board_checkpoints"
MANIFEST_ID: Final = uuid5(UUID("3b9d2f64-0c1e-5a7b-8d4f-6e2a1c9b7f05"), "board-manifest")
MANIFEST_TOPIC: Final = "job_service.board#Manifest"
CHUNK_TOPIC: Final = "job_service.board#Chunk"
MANIFEST_VERSION: Final = 1
CHUNK_BYTES: Final = 300_000
"""Compressed bytes per chunk item: under DynamoDB's 400 KB item limit with room to spare."""
CHUNKS_PER_WRITE: Final = 10
"""Chunks per transaction: 3 MB, under DynamoDB's 4 MB per transaction."""


@dataclass(frozen=True)
class Manifest:
    """Where a checkpoint's chunks are, and what they must add up to."""

    position: int
    chunks_id: UUID
    chunks: int
    sha256: str
    version: int = MANIFEST_VERSION

    def encode(self) -> bytes:
        return json.dumps(
            {
                "version": self.version,
                "position": self.position,
                "chunks_id": str(self.chunks_id),
                "chunks": self.chunks,
                "sha256": self.sha256,
            }
        ).encode()

    @classmethod
    def decode(cls, data: bytes) -> Manifest:
        fields = json.loads(data)
        if fields.get("version") != MANIFEST_VERSION:
            raise CheckpointError(f"checkpoint manifest version {fields.get('version')!r}")
        return cls(
            int(fields["position"]),
            UUID(fields["chunks_id"]),
            int(fields["chunks"]),
            str(fields["sha256"]),
        )


class BoardCheckpoints:
    """Writes and reads board checkpoints through one aggregate recorder (see the module)."""

    def __init__(
        self,
        recorder: AggregateRecorder,
        *,
        chunk_bytes: int = CHUNK_BYTES,
        chunks_per_write: int = CHUNKS_PER_WRITE,
    ) -> None:
        self.recorder = recorder
        self.chunk_bytes = chunk_bytes
        self.chunks_per_write = chunks_per_write

    def latest_position(self) -> int | None:
        """The position of the newest checkpoint, or None if there is none (one small read)."""
        newest = self.recorder.select_events(MANIFEST_ID, desc=True, limit=1)
        return newest[0].originator_version if newest else None

    def save(self, state: dict[str, Any]) -> Manifest:
        """Store a board's `checkpoint()`: its chunks first, then the manifest that names them.

        IntegrityError if a checkpoint at the same position is already stored."""
        blob = zlib.compress(json.dumps(state, separators=(",", ":")).encode(), level=6)
        pieces = [blob[i : i + self.chunk_bytes] for i in range(0, len(blob), self.chunk_bytes)]
        manifest = Manifest(int(state["position"]), uuid4(), len(pieces), _digest(blob))
        chunks = [
            StoredEvent(manifest.chunks_id, version, CHUNK_TOPIC, piece)
            for version, piece in enumerate(pieces, start=1)
        ]
        for i in range(0, len(chunks), self.chunks_per_write):
            self.recorder.insert_events(chunks[i : i + self.chunks_per_write])
        self._write_manifest(manifest)
        return manifest

    def load(self) -> dict[str, Any] | None:
        """The newest checkpoint's board state, or None if there is none.

        CheckpointError (or whatever decoding raised) if it cannot be read as written."""
        newest = self.recorder.select_events(MANIFEST_ID, desc=True, limit=1)
        if not newest:
            return None
        manifest = Manifest.decode(newest[0].state)
        chunks = self.recorder.select_events(manifest.chunks_id, lte=manifest.chunks)
        if [c.originator_version for c in chunks] != list(range(1, manifest.chunks + 1)):
            raise CheckpointError(f"checkpoint at {manifest.position} lacks some of its chunks")
        blob = b"".join(chunk.state for chunk in chunks)
        if _digest(blob) != manifest.sha256:
            raise CheckpointError(f"checkpoint at {manifest.position} does not match its sum")
        state: dict[str, Any] = json.loads(zlib.decompress(blob))
        if state.get("position") != manifest.position:
            raise CheckpointError(f"checkpoint at {manifest.position} holds another position")
        return state

    def _write_manifest(self, manifest: Manifest) -> None:
        """The step that makes a checkpoint current: its own write, after every chunk."""
        stored = StoredEvent(MANIFEST_ID, manifest.position, MANIFEST_TOPIC, manifest.encode())
        self.recorder.insert_events([stored])


def _digest(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()
