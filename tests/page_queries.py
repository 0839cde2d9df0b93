"""What a page costs in SQL queries as production serves it: at most 10, however many rows.

Production keeps roles, permissions, the verifying second-factor device and the session in the
cache (Redis); the test settings use no cache at all, so each test here runs with a local
memory cache and cached sessions (the `warm_cache` fixture of the root conftest) and counts the
second load of a page, after a first one has filled the cache, as a person's pages after their
first are.

A page runs in one transaction (core.middleware.RequestTransactionMiddleware). Inside the
test's own transaction its BEGIN and COMMIT become a SAVEPOINT and its RELEASE, which are
left out of the count: Django does not count BEGIN and COMMIT either. Any other savepoint (a
service's, a session's save) counts.
"""

import os
from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

SMALL, LARGE = 5, 50
PAGE_QUERIES = 10


def page_queries(client, path: str, params: dict | None = None) -> tuple[list[str], str]:
    """The statements one load of `path` sends, less the page transaction's own savepoint pair."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params or {})
    assert response.status_code == 200, f"{path}: {response.status_code}"
    sql = [q["sql"] for q in captured.captured_queries]
    starts = [i for i, s in enumerate(sql) if s.startswith("SAVEPOINT")]
    ends = [i for i, s in enumerate(sql) if s.startswith("RELEASE SAVEPOINT")]
    if starts and ends:
        del sql[ends[-1]]
        del sql[starts[0]]
    return sql, response.content.decode()


def assert_page_queries(
    client,
    page: str,
    path: str,
    add_rows: Callable[[int], None],
    params: dict | None = None,
    ceiling: int = PAGE_QUERIES,
) -> str:
    """Load `path` with SMALL rows and with LARGE rows (`add_rows(n)` adds n), each after a load
    that warms the cache: the two counts match and neither passes `ceiling`. Returns the HTML of
    the LARGE load, for the caller to check that the rows were shown."""
    add_rows(SMALL)
    client.get(path, params or {})
    small, _ = page_queries(client, path, params)
    add_rows(LARGE - SMALL)
    client.get(path, params or {})
    large, html = page_queries(client, path, params)
    if os.environ.get("PAGE_QUERIES_REPORT"):  # a file to append each page's counts to, for a table
        with open(os.environ["PAGE_QUERIES_REPORT"], "a") as out:
            out.write(f"{page}\t{len(small)}\t{len(large)}\n")
    listing = "\n".join(s[:160] for s in large)
    assert len(small) == len(large), (
        f"{page}: {len(small)} queries for {SMALL} rows, {len(large)} for {LARGE}\n{listing}"
    )
    assert len(large) <= ceiling, f"{page}: {len(large)} queries (at most {ceiling})\n{listing}"
    return html
