"""Forge accounts linked to a person by an e-mail address that person never verified are let go.

Before issue 13, the sync linked a forge account to the portal user with the same e-mail address whether
or not the address was verified (and ACCOUNT_EMAIL_VERIFICATION was "optional"), so anyone could sign up
with a colleague's address and take their recorded activity. A link now rests on one of the person's
verified addresses (for plain git, the account's login is the address; for GitHub and GitLab, the
account's e-mail), or on a proven login. Typed logins are all unverified after 0008, so no other link
stands. Verifying the address later links the accounts again (community.identity.email_address_verified).
"""

from django.db import migrations


def links_rest_on_verified_addresses(apps, schema_editor):
    EmailAddress = apps.get_model("account", "EmailAddress")
    ForgeAccount = apps.get_model("metrics", "ForgeAccount")
    verified: dict[int, set[str]] = {}
    for user_id, email in EmailAddress.objects.filter(verified=True).values_list("user_id", "email").iterator():
        verified.setdefault(user_id, set()).add(email.strip().lower())
    stale = []
    linked = ForgeAccount.objects.filter(user__isnull=False).values_list("pk", "user_id", "forge", "login", "email")
    for pk, user_id, forge, login, email in linked.iterator():
        address = login if forge == "git" else (email or "").strip().lower()
        if not address or address not in verified.get(user_id, set()):
            stale.append(pk)
    for start in range(0, len(stale), 1000):
        ForgeAccount.objects.filter(pk__in=stale[start : start + 1000]).update(user=None)


class Migration(migrations.Migration):
    dependencies = [
        ("account", "0009_emailaddress_unique_primary_email"),
        ("metrics", "0006_forge_account_directory_unit"),
        ("community", "0009_organisation_directory"),
    ]

    operations = [migrations.RunPython(links_rest_on_verified_addresses, migrations.RunPython.noop)]
