"""A project's generated image (/catalog/<slug>/avatar.svg): the portal's own, for exports to point to."""

import xml.etree.ElementTree as ET

import pytest

from catalog.avatars import avatar_svg, initials
from catalog.models import Visibility
from community.models import Practitioner
from tests.factories import BusinessUnitFactory, ProjectFactory, UserFactory

SVG = "{http://www.w3.org/2000/svg}"


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)


@pytest.mark.parametrize(
    ("name", "letters"),
    [
        ("Kafka Connect Toolkit", "KC"),
        ("Hermes", "H"),
        ("ledger-events sdk", "LE"),
        ("élan vital", "ÉV"),
        ("__init__ helpers", "IH"),
        ("!!!", "?"),
    ],
)
def test_the_image_shows_the_initials_of_the_first_two_words(name, letters):
    assert initials(name) == letters
    assert parsed(avatar_svg(name=name, key="x")).find(f"{SVG}text").text == letters


def test_the_same_slug_always_gives_the_same_image_and_other_slugs_other_images():
    first = avatar_svg(name="Payments", key="payments")

    assert avatar_svg(name="Payments", key="payments") == first
    # Same initials, other slugs: the colour or the pattern tells them apart.
    others = {avatar_svg(name="Payments", key=f"payments-{n}") for n in range(30)}
    assert first not in others and len(others) == 30


def test_a_name_with_markup_stays_text_in_the_image():
    svg = avatar_svg(name='<script>alert(1)</script> & "Co"', key="evil")

    root = parsed(svg)  # well-formed XML: nothing of the name became an element
    assert root.find(f"{SVG}title").text == '<script>alert(1)</script> & "Co"'
    assert root.find(f"{SVG}script") is None and "<script>" not in svg
    assert root.find(f"{SVG}text").text == "SA"


@pytest.mark.django_db
def test_anyone_gets_the_image_of_a_company_wide_project(client):
    ProjectFactory(name="Payments Gateway")

    response = client.get("/catalog/payments-gateway/avatar.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert parsed(response.content.decode()).find(f"{SVG}text").text == "PG"
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_image_of_a_restricted_project_is_not_found_for_those_who_do_not_see_it(client):
    defence = BusinessUnitFactory(name="Defence", slug="defence")
    ProjectFactory(name="Radar", business_unit=defence, visibility=Visibility.UNITS)
    outsider, member = UserFactory(username="outsider"), UserFactory(username="member")
    Practitioner.objects.create(user=member, display_name="Member", business_unit=defence)

    anonymous = client.get("/catalog/radar/avatar.svg")
    missing = client.get("/catalog/no-such-project/avatar.svg")
    client.force_login(outsider)
    outside = client.get("/catalog/radar/avatar.svg")
    client.force_login(member)
    inside = client.get("/catalog/radar/avatar.svg")

    assert anonymous.status_code == outside.status_code == missing.status_code == 404
    assert "Radar" not in anonymous.content.decode() + outside.content.decode()
    assert inside.status_code == 200 and "Radar" in inside.content.decode()


@pytest.mark.django_db
def test_the_image_is_only_read(client):
    ProjectFactory(slug="payments")

    assert client.post("/catalog/payments/avatar.svg").status_code == 405
