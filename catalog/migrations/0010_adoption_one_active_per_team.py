import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Lower, Trim


def merge_duplicate_adoptions(apps, schema_editor):
    """Before the constraint: "Use this" clicked again recorded the same team's adoption once more.
    Of the active adoptions that the constraint calls the same (asset, unit, team and product, names
    trimmed and case-insensitive), keep the one with the earliest `since` (then the earliest recorded)
    and delete the others: they repeat one fact, they are no history of their own."""
    Adoption = apps.get_model("catalog", "Adoption")
    rows = (
        Adoption.objects.filter(ended_on__isnull=True)
        # The database computes the keys, exactly as the unique index will.
        .annotate(team_key=Lower(Trim("team")), product_key=Lower(Trim("product")))
        .order_by("asset_id", "business_unit_id", "team_key", "product_key", "since", "created_at", "pk")
        .values_list("pk", "asset_id", "business_unit_id", "team_key", "product_key")
    )
    repeats, previous = [], None
    for pk, *key in rows.iterator(chunk_size=2000):
        if key == previous:
            repeats.append(pk)
        previous = key
    for start in range(0, len(repeats), 500):
        Adoption.objects.filter(pk__in=repeats[start : start + 500]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0009_searchentry_sample_key_facet_arrays'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Nothing to restore going back: the deleted rows repeated the ones kept.
        migrations.RunPython(merge_duplicate_adoptions, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='adoption',
            constraint=models.UniqueConstraint(models.F('asset'), models.F('business_unit'), django.db.models.functions.text.Lower(django.db.models.functions.text.Trim('team')), django.db.models.functions.text.Lower(django.db.models.functions.text.Trim('product')), condition=models.Q(('ended_on__isnull', True)), name='adoption_one_active_per_team', violation_error_message='This team already uses this asset for this product.'),
        ),
    ]
