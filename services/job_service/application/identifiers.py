"""Ids the integration events carry must fit their schema, or the relay could never publish them.

The events' Identifier is 1 to 256 printable ASCII characters without spaces; the domain allows
more in a profile name (any printable text). What cannot be published is refused on the way in.
"""

import re
from typing import Final

_IDENTIFIER: Final = re.compile(r"[!-~]{1,256}")


def require_identifier(value: str, what: str, error: type[Exception]) -> None:
    """Raise `error` unless `value` is a publishable Identifier."""
    if not _IDENTIFIER.fullmatch(value):
        raise error(f"{what} must be 1 to 256 printable ASCII characters without spaces")
