from django.dispatch import Signal

# Sent after commit when synced activity involves portal users: `user_ids` (sorted list of ints).
# The community app listens and re-evaluates those people's journey stage and badges; metrics never
# imports community.
contributions_recorded = Signal()
