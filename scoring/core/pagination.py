from rest_framework.pagination import PageNumberPagination

RESULTS_MAX_PAGE_SIZE = 1000


class StandardPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000


class CompatResultsPagination(PageNumberPagination):
    """/results/ a page at a time, when asked with ?page= or ?limit= (leads per page)."""

    page_size_query_param = "limit"
    max_page_size = RESULTS_MAX_PAGE_SIZE
