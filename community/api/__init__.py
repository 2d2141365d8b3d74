"""The community's API: practitioners (public fields), memberships, trusted committers, kudos, badges and
awards, guidelines and templates.

Reads are for signed-in people and show what the pages show, honouring each profile's privacy exactly as
the profile page does (community.selectors.profile_context): the person and the program office see the
whole profile; colleagues see a company-visible profile without what it hides, and of a private profile
only the name. Filters never match on a hidden value, so they cannot reveal it either.

Writes go through community.services with the pages' permissions: a person joins and leaves only their
own memberships; maintainers, owners and the program office appoint and remove trusted committers;
anyone thanks anyone else. Guides and templates are edited in the admin, so the API only reads them.
"""

from community.api.communities import MembershipViewSet, TrustedCommitterViewSet
from community.api.guidelines import GuideViewSet
from community.api.practitioners import PractitionerViewSet
from community.api.recognition import AwardViewSet, BadgeViewSet, KudosViewSet

ROUTES = [
    ("practitioners", PractitionerViewSet, "practitioner"),
    ("memberships", MembershipViewSet, "membership"),
    ("trusted-committers", TrustedCommitterViewSet, "trusted-committer"),
    ("kudos", KudosViewSet, "kudos"),
    ("badges", BadgeViewSet, "badge"),
    ("awards", AwardViewSet, "award"),
    ("guidelines", GuideViewSet, "guideline"),
]
urlpatterns: list = []
