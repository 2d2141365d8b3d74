from django.dispatch import Signal

# Sent after commit when synced activity involves portal users: `user_ids` (sorted list of ints).
# The community app listens and re-evaluates those people's journey stage and badges; metrics never
# imports community.
contributions_recorded = Signal()

# Sent when accounts' user links or bot flags changed in bulk (ForgeAccountQuerySet.update):
# `account_ids` (list of ints). The first responses kept on issues and requests follow it.
forge_accounts_changed = Signal()
