from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """Opaque cursors over the id: a page stays right while rows are added."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200
