from django.db import migrations, models


def claims_stop_attributing(apps, schema_editor):
    """Logins and addresses typed on profiles were claims nobody checked. The extra commit addresses
    become unverified e-mail addresses of the account (the person verifies them by mail on the account's
    e-mail page), and the forge accounts those claims attributed are let go, so that they count again once
    proven or confirmed by the program office. An account whose own e-mail address is a verified one of
    the person stays theirs: that link never rested on the claim."""
    Practitioner = apps.get_model("community", "Practitioner")
    EmailAddress = apps.get_model("account", "EmailAddress")
    ForgeAccount = apps.get_model("metrics", "ForgeAccount")
    claims = Practitioner.objects.exclude(github_login="", gitlab_username="", extra_emails=[])
    for practitioner in claims.iterator():
        user_id = practitioner.user_id
        known = set(EmailAddress.objects.filter(user_id=user_id).values_list("email", flat=True))
        verified = set(
            EmailAddress.objects.filter(user_id=user_id, verified=True).values_list("email", flat=True)
        )
        extra = {str(email).strip().lower() for email in practitioner.extra_emails or [] if str(email).strip()}
        EmailAddress.objects.bulk_create(
            [EmailAddress(user_id=user_id, email=email, verified=False, primary=False) for email in extra - known]
        )
        accounts = ForgeAccount.objects.filter(user_id=user_id)
        if practitioner.github_login:
            accounts.filter(forge="github", login=practitioner.github_login.lower()).exclude(
                email__in=verified
            ).update(user_id=None)
        if practitioner.gitlab_username:
            accounts.filter(forge="gitlab", login=practitioner.gitlab_username.lower()).exclude(
                email__in=verified
            ).update(user_id=None)
        accounts.filter(forge="git", login__in=extra - verified).update(user_id=None)


class Migration(migrations.Migration):
    dependencies = [
        ("account", "0009_emailaddress_unique_primary_email"),
        ("metrics", "0005_usage_event_leaner_indexes"),
        ("community", "0007_practitioner_unit_from_trusted_sources"),
    ]

    operations = [
        migrations.AddField(
            model_name="practitioner",
            name="github_login_verified",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddField(
            model_name="practitioner",
            name="gitlab_username_verified",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.RunPython(claims_stop_attributing, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="practitioner",
            name="extra_emails",
        ),
    ]
