"""Sections that apps below `reports/` add to the oversight dashboards.

`reports/` sits at the top of the import chain, but an app level with it or below (appeals,
whose appeals by outcome and deadline belong on the dashboards) must not import it, and
`reports/` must not depend on an app that may not be installed. So such an app registers a
section function here at start-up, in its `AppConfig.ready()`, and the dashboards call every
one. A section function takes `(user, scope, start, end)` (scope: a `reports.selectors.Scope`,
read as `scope.case_filter(prefix)` for a Q on its cases) and returns a dict like the
dashboards' own figures (`key`, `title`, `columns`, `rows`, `summary`), or None. It must cost
one query.
"""

from collections.abc import Callable
from typing import Any

DashboardSection = Callable[..., dict[str, Any] | None]

#: The slots the dashboards show, in order; an unfilled slot says what will appear there.
SLOTS: dict[str, str] = {"appeals": "Appeals by outcome and deadline"}

_sections: dict[str, DashboardSection] = {}


def dashboard_section_register(slot: str, section: DashboardSection) -> DashboardSection:
    """Fill one of the dashboards' `SLOTS` (a second registration replaces the first)."""
    if slot not in SLOTS:
        raise ValueError(f"No dashboard slot named {slot!r}; the slots are {', '.join(SLOTS)}.")
    _sections[slot] = section
    return section


def dashboard_sections() -> dict[str, DashboardSection | None]:
    """Each slot and the function that fills it, None while no app has registered one."""
    return {slot: _sections.get(slot) for slot in SLOTS}
