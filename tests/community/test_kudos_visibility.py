"""Kudos never reveal a project restricted to other business units: the profile shows the thanks without
the project's name to people who cannot see it, and nobody can name a project they cannot see."""

from django.test import Client

from catalog.models import Visibility
from community.models import Kudos
from tests.factories import BusinessUnitFactory, ProjectFactory, person_in_unit

SECRET = "Nightingale Radar"


def test_a_restricted_project_named_in_kudos_shows_only_to_those_who_see_it(db):
    defence, retail = BusinessUnitFactory(slug="defence"), BusinessUnitFactory(slug="retail")
    secret = ProjectFactory(
        name=SECRET, slug="nightingale", business_unit=defence, visibility=Visibility.UNITS
    )
    receiver, giver = person_in_unit("receiver", defence), person_in_unit("giver", defence)
    Kudos.objects.create(giver=giver, receiver=receiver, project=secret, message="Thanks for the filters")

    insider, outsider = Client(), Client()
    insider.force_login(giver)
    outsider.force_login(person_in_unit("retail-person", retail))
    inside = insider.get("/practitioners/receiver/").content.decode()
    outside = outsider.get("/practitioners/receiver/").content.decode()
    anonymous = Client().get("/practitioners/receiver/").content.decode()
    assert "Thanks for the filters" in inside and SECRET in inside
    assert "Thanks for the filters" in outside and SECRET not in outside
    assert SECRET not in anonymous


def test_nobody_names_a_project_they_cannot_see(db):
    defence, retail = BusinessUnitFactory(slug="defence"), BusinessUnitFactory(slug="retail")
    ProjectFactory(name=SECRET, slug="nightingale", business_unit=defence, visibility=Visibility.UNITS)
    receiver = person_in_unit("receiver", retail)
    client = Client()
    client.force_login(person_in_unit("retail-person", retail))
    response = client.post("/practitioners/receiver/kudos/", {"message": "Thanks!", "project": "nightingale"})
    assert response.status_code == 400
    assert not Kudos.objects.filter(receiver=receiver).exists()


def test_the_kudos_notification_names_the_project_only_to_a_receiver_who_sees_it(db):
    from catalog.models import Notification

    defence, partner, retail = (BusinessUnitFactory(slug=s) for s in ("defence", "partner", "retail"))
    secret = ProjectFactory(
        name=SECRET, slug="nightingale", business_unit=defence, visibility=Visibility.UNITS
    )
    secret.visible_units.add(partner)
    giver = person_in_unit("giver", defence)
    blind, seeing = person_in_unit("blind", retail), person_in_unit("seeing", partner)
    for receiver in (blind, seeing):
        client = Client()
        client.force_login(giver)
        response = client.post(
            f"/practitioners/{receiver.username}/kudos/", {"message": "Thanks!", "project": "nightingale"}
        )
        assert response.status_code == 302
    told = {n.user.username: n.message for n in Notification.objects.select_related("user")}
    assert SECRET in told["seeing"]
    assert "Thanks!" in told["blind"] and SECRET not in told["blind"]
