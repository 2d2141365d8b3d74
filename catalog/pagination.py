from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class PortalPagination(PageNumberPagination):
    """Pages as on the catalog pages (`page`), with a bounded `page_size`: more than 100 gives 100, and
    anything that is not a whole number is a 400 rather than a silent default."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and (not raw.isdigit() or int(raw) < 1):
            raise ValidationError({self.page_size_query_param: ["A whole number from 1 to 100."]})
        return super().get_page_size(request)
