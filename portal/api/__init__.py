"""The REST API's shared parts: token authentication, errors, pagination, write limits, the schema.

Each app's endpoints live in its own `api.py`; `portal/api/urls.py` puts them under /api/v1/."""
