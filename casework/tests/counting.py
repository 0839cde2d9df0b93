"""Query counting for the task, inquiry and home page tests: 5 rows and 50 rows cost the same."""

from collections.abc import Callable

SMALL, LARGE = 5, 50


def load(client, path: str, params: dict, ceiling: int, django_assert_max_num_queries) -> tuple[int, str]:
    with django_assert_max_num_queries(ceiling) as captured:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def assert_constant(
    client,
    page: str,
    path: str,
    add_rows: Callable[[int], None],
    ceiling: int,
    django_assert_max_num_queries,
    params: dict | None = None,
) -> str:
    """Load `path` with SMALL rows and with LARGE rows (`add_rows(n)` adds n); the counts must match
    and stay under `ceiling`. Returns the HTML of the LARGE load, for the caller to check the rows."""
    params = params or {}
    add_rows(SMALL)
    client.get(path, params)  # warm up: content types, permissions, session
    small, _ = load(client, path, params, ceiling, django_assert_max_num_queries)
    add_rows(LARGE - SMALL)
    large, html = load(client, path, params, ceiling, django_assert_max_num_queries)
    assert small == large, f"{page}: {small} queries for {SMALL} rows but {large} for {LARGE}"
    return html
