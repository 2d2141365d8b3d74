from django.dispatch import Signal

# Sent after commit when a team declares it uses an asset ("Use this"): `adoption`, `user`.
# The metrics app records it as usage; catalog never imports metrics.
asset_adopted = Signal()

# Sent inside the merge's transaction when a duplicate is folded into the project that stays: `source`,
# `target`, `user_ids` (the duplicate's owners, maintainers, trusted committers and community members).
# The community app moves their memberships to `target`; catalog never imports community.
project_merged = Signal()

# Sent when catalog.search_index.entries_rebuild made new search entries for `project_ids`: their vectors
# (catalog.meaning) are brought up to date by catalog.tasks, which the index cannot import (the tasks
# import the services, which rebuild the index).
entries_rebuilt = Signal()

# Sent after commit when an asset's package (Asset.package_key) was given, changed or removed: `asset`,
# `previous_key`. The metrics app matches the manifests it already synced again, so that code using the
# package is found at once rather than by the nightly match; catalog never imports metrics.
asset_package_changed = Signal()

# Sent after commit when consumer notices were recorded (catalog.services.notices): when tasks run inline
# (the embedded mode, which has no beat) the day's digests are sent at once by catalog.tasks; with a
# worker, the daily task sends them.
consumer_notices_recorded = Signal()
