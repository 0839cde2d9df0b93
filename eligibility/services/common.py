from datetime import date
from typing import Any

from casework.services.cases import case_client_ids

__all__ = ["case_client_ids", "plain"]


def plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else str(value) if value is not None else None
