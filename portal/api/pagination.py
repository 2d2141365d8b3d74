from rest_framework.pagination import PageNumberPagination


class PortalPagination(PageNumberPagination):
    """Pages as on the catalog pages (`page`), with a bounded `page_size`."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
