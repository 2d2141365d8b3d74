import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog.models import (
    Adoption,
    Asset,
    AssetKind,
    BusinessUnit,
    Lifecycle,
    Project,
    ProjectRole,
    ReviewStatus,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Person"
    password = factory.django.Password("correct horse battery")

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        """The account's address, verified as allauth records it (by mail or the company sign-on): a
        test person's commits under it are theirs. `UserFactory(verified_email=False)` leaves it out."""
        if create and user.email and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=user, email=user.email.lower(), defaults={"verified": True, "primary": True}
            )


class BusinessUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessUnit
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Unit {n}")
    slug = factory.Sequence(lambda n: f"unit-{n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")
    description = "A reusable thing for everyone."
    business_unit = factory.SubFactory(BusinessUnitFactory)
    lifecycle = Lifecycle.ACTIVE
    review_status = ReviewStatus.APPROVED
    created_at = factory.LazyFunction(timezone.now)


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Asset {n}")
    slug = factory.Sequence(lambda n: f"asset-{n}")
    kind = AssetKind.LIBRARY
    description = "A library."


class AdoptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Adoption

    asset = factory.SubFactory(AssetFactory)
    business_unit = factory.SubFactory(BusinessUnitFactory)
    team = factory.Sequence(lambda n: f"Team {n}")


def make_owner(project: Project, user) -> None:
    ProjectRole.objects.get_or_create(project=project, user=user, role=ProjectRole.Role.OWNER)
