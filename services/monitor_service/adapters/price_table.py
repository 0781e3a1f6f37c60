"""The price table: a JSON file of instance prices and each cluster profile's instances.

The default file, `price_table.json` beside this module, holds us-east-1 on-demand prices and
the cluster service's seed profiles (small, medium, large). Keep it in step with the cluster
service's profiles by hand (no service imports another); PRICE_TABLE names another file.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from monitor_service.domain import PriceBook, PriceTableError

DEFAULT_TABLE = "price_table.json"


def load_price_book(path: str | Path | None = None) -> PriceBook:
    """The price book in `path`, or in the packaged default table."""
    try:
        if path is None:
            text = resources.files(__package__ or "").joinpath(DEFAULT_TABLE).read_text()
        else:
            text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, ValueError) as error:
        raise PriceTableError(
            f"cannot read the price table {path or DEFAULT_TABLE}: {error}"
        ) from error
    return PriceBook.from_mapping(data)
