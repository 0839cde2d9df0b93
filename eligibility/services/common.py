from datetime import date
from typing import Any

from accounts.models import CaseAccess


def case_client_ids(case_id: int) -> list[int]:
    """The clients whose file a change to this case touches (as the case pages record them)."""
    return list(CaseAccess.objects.filter(case_id=case_id).values_list("client_id", flat=True))


def plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else str(value) if value is not None else None
