from django.dispatch import Signal

# Sent after commit when a team declares it uses an asset ("Use this"): `adoption`, `user`.
# The metrics app records it as usage; catalog never imports metrics.
asset_adopted = Signal()
