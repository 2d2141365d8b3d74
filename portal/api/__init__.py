"""The REST API's shared parts: token authentication, errors, write limits, the schema (pagination is
catalog.pagination, which every app's lists use).

Each app's endpoints live in its own `api.py`; `portal/api/urls.py` puts them under /api/v1/."""
