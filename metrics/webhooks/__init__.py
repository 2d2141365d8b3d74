"""Webhook deliveries from GitHub and GitLab: verified and stored by the views, processed by a task.

Each forge module (github.py, gitlab.py) offers:
- `EVENTS`: the event names it records;
- `signature_valid(*, body: bytes, headers, secret: str) -> bool` (constant-time compare);
- `repository_identity(payload) -> tuple[str, str]`: (web URL, "owner/name") of the payload's repository;
- `batch_from_delivery(*, event: str, payload: dict) -> ActivityBatch | None`.
"""
