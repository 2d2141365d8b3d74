"""Views of the community app: people (routes in community/urls.py). Thin: permissions, forms, then a
service or a selector."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from catalog.models import Project
from catalog.permissions import can_edit_project
from catalog.selectors import project_for_viewer
from community import selectors, services
from community.forms import KudosForm, ProfileForm, TrustedCommitterForm
from community.models import RulesVersion

User = get_user_model()


# Profiles -----------------------------------------------------------------------------------------


def _profile_page(request: HttpRequest, person, *, kudos_form: KudosForm | None = None, status: int = 200):
    practitioner = selectors.practitioner_of(person)
    context = selectors.profile_context(practitioner=practitioner, viewer=request.user)
    # Kudos are for others, and only where the profile shows more than a name.
    if request.user.is_authenticated and not context["is_owner"] and context["show_details"]:
        context["kudos_form"] = kudos_form or KudosForm()
        context["kudos_projects"] = [
            row["project"] for row in context["projects"] if row["project"].is_listed
        ]
    return render(request, "community/profile.html", context, status=status)


@login_required  # people's data: for colleagues who signed in, as the API is
def profile(request: HttpRequest, username: str) -> HttpResponse:
    person = get_object_or_404(
        User.objects.select_related("practitioner__business_unit"), username=username, is_active=True
    )
    return _profile_page(request, person)


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    """A person edits their own profile (the URL names no one else, so nobody edits another's)."""
    practitioner = selectors.practitioner_of(request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST, user=request.user)
        if form.is_valid():
            services.profile_update(user=request.user, fields=form.to_fields())
            messages.success(request, "Your profile is saved.")
            return redirect("community:profile", username=request.user.get_username())
    else:
        form = ProfileForm(initial=ProfileForm.initial_from(practitioner), user=request.user)
    return render(request, "community/profile_edit.html", {"form": form, "practitioner": practitioner})


@login_required
@require_POST
def kudos_give(request: HttpRequest, username: str) -> HttpResponse:
    receiver = get_object_or_404(
        User.objects.select_related("practitioner"), username=username, is_active=True
    )
    if receiver.pk == request.user.pk:
        raise PermissionDenied("Kudos are for thanking others.")
    form = KudosForm(request.POST, giver=request.user)
    if not form.is_valid():
        return _profile_page(request, receiver, kudos_form=form, status=400)
    services.kudos_give(
        giver=request.user,
        receiver=receiver,
        message=form.cleaned_data["message"],
        project=form.cleaned_data["project"],
    )
    messages.success(request, f"Thank you for thanking {selectors.display_name(receiver)}.")
    return redirect(reverse("community:profile", kwargs={"username": receiver.get_username()}) + "#kudos")


# Rules of engagement ------------------------------------------------------------------------------


def rules(request: HttpRequest) -> HttpResponse:
    """The current rules; signed-in people accept them with a POST to the same page."""
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        current = RulesVersion.current()
        # The form names the version it showed: if the rules changed meanwhile, read them again.
        if current is None or request.POST.get("version") != str(current.version):
            messages.warning(request, "The rules changed while you were reading. Please read this version.")
            return redirect("community:rules")
        services.rules_accept(user=request.user, rules=current)
        messages.success(request, "Thank you for accepting the rules of engagement.")
        return redirect("community:rules")
    return render(request, "community/rules.html", selectors.rules_context(viewer=request.user))


# Project communities ------------------------------------------------------------------------------


@login_required  # people's data: for colleagues who signed in, as the API is
def members(request: HttpRequest, slug: str) -> HttpResponse:
    project = project_for_viewer(viewer=request.user, slug=slug, merged=True)
    if project.merged_into_id:
        return redirect("community:members", slug=project.merged_into.slug)
    context = selectors.members_context(project=project, viewer=request.user, page=request.GET.get("page"))
    if context["can_manage"]:
        context["candidates"] = selectors.trusted_committer_candidates(project=project, now=timezone.now())
        # Members who hold no role yet: an owner, maintainer or trusted committer is not offered again.
        context["appointable"] = [row for row in context["members"] if not row["roles"]]
    return render(request, "community/members.html", context)


def _back_to(project: Project, request: HttpRequest) -> HttpResponse:
    # Join and leave come from the project page or the members page; go back where the person was.
    if request.POST.get("next") == project.get_absolute_url():
        return redirect(project)
    return redirect("community:members", slug=project.slug)


@login_required
@require_POST
def membership_join(request: HttpRequest, slug: str) -> HttpResponse:
    project = project_for_viewer(viewer=request.user, slug=slug)
    services.membership_join(project=project, user=request.user)
    messages.success(request, f"Welcome to the {project.name} community!")
    return _back_to(project, request)


@login_required
@require_POST
def membership_leave(request: HttpRequest, slug: str) -> HttpResponse:
    project = project_for_viewer(viewer=request.user, slug=slug, merged=True)
    if services.membership_leave(project=project, user=request.user):
        messages.success(request, f"You left the {project.name} community. You are welcome back any time.")
    return _back_to(project, request)


def _committer_change(request: HttpRequest, slug: str) -> tuple[Project, object]:
    project = project_for_viewer(viewer=request.user, slug=slug)
    if not can_edit_project(request.user, project):
        raise PermissionDenied(
            "Only the project's maintainers and owners (or the program office) appoint trusted committers."
        )
    form = TrustedCommitterForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["user"]))
        return project, None
    return project, form.cleaned_data["user"]


@login_required
@require_POST
def trusted_committer_appoint(request: HttpRequest, slug: str) -> HttpResponse:
    project, person = _committer_change(request, slug)
    if person is not None:
        # The evidence, when there is some, is recorded as the reason (computed here, not trusted from the form).
        evidence = {
            c.user.pk: c for c in selectors.trusted_committer_candidates(project=project, now=timezone.now())
        }
        reason = evidence[person.pk].reason if person.pk in evidence else ""
        services.trusted_committer_appoint(project=project, user=person, by=request.user, reason=reason)
        messages.success(
            request, f"{selectors.display_name(person)} is now a trusted committer of {project.name}."
        )
    return redirect("community:members", slug=project.slug)


@login_required
@require_POST
def trusted_committer_remove(request: HttpRequest, slug: str) -> HttpResponse:
    project, person = _committer_change(request, slug)
    if person is not None and services.trusted_committer_remove(
        project=project, user=person, by=request.user
    ):
        messages.success(request, f"{selectors.display_name(person)} is no longer a trusted committer.")
    return redirect("community:members", slug=project.slug)
