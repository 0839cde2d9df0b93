"""A page's writes commit together, and a page that fails leaves nothing behind
(core.middleware.RequestTransactionMiddleware)."""

import pytest
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.models import Office
from core.middleware import RequestTransactionMiddleware

pytestmark = pytest.mark.django_db(transaction=True)  # real COMMITs and ROLLBACKs, no test transaction around them


def _page(status: int = 200, *, fails: bool = False, sent: list[str]):
    """A view that writes two rows and leaves a job for after the commit, then answers `status` or fails."""

    def view(request):
        sent.append(f"in one transaction: {connection.in_atomic_block}")
        Office.objects.create(code="first", name="First Office")
        Office.objects.create(code="second", name="Second Office")
        transaction.on_commit(lambda: sent.append("job"))
        if fails:
            raise RuntimeError("the page broke")
        return HttpResponse(status=status)

    return RequestTransactionMiddleware(view)


def test_a_pages_writes_commit_together_and_its_jobs_go_after():
    sent: list[str] = []
    response = _page(sent=sent)(RequestFactory().get("/"))

    assert response.status_code == 200
    assert not connection.in_atomic_block  # committed, not left open
    assert set(Office.objects.values_list("code", flat=True)) >= {"first", "second"}
    assert sent == ["in one transaction: True", "job"]


def test_an_error_page_leaves_none_of_its_writes_and_sends_no_job():
    sent: list[str] = []
    response = _page(500, sent=sent)(RequestFactory().get("/"))

    assert response.status_code == 500
    assert not Office.objects.filter(code__in=["first", "second"]).exists()
    assert sent == ["in one transaction: True"]


def test_a_page_that_breaks_leaves_none_of_its_writes():
    sent: list[str] = []
    with pytest.raises(RuntimeError):
        _page(fails=True, sent=sent)(RequestFactory().get("/"))

    assert not Office.objects.filter(code__in=["first", "second"]).exists()
    assert sent == ["in one transaction: True"]
