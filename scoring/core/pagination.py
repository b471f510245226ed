from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 1000


class StandardPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class PageLimitPagination(PageNumberPagination):
    """Pages of ?limit= rows (at most MAX_PAGE_SIZE), for answers that take the limit under
    that name: /results/, a page at a time when asked with ?page= or ?limit=."""

    page_size_query_param = "limit"
    max_page_size = MAX_PAGE_SIZE
