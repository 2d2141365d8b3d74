from django.dispatch import Signal

# Sent after commit when a team declares it uses an asset ("Use this"): `adoption`, `user`.
# The metrics app records it as usage; catalog never imports metrics.
asset_adopted = Signal()

# Sent inside the merge's transaction when a duplicate is folded into the project that stays: `source`,
# `target`, `user_ids` (the duplicate's owners, maintainers, trusted committers and community members).
# The community app moves their memberships to `target`; catalog never imports community.
project_merged = Signal()
