"""The radar of re-built wheels (catalog.radar): the program office's page and its two actions."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalog.dates import day_text
from catalog.permissions import is_program_office
from catalog.radar.selectors import cluster_for_viewer, radar_page
from catalog.radar.services import cluster_dismiss, cluster_owners_tell


class DismissForm(forms.Form):
    reason = forms.CharField(
        max_length=1000,
        strip=True,
        error_messages={"required": "Say why they are not duplicates, so that the next reader knows."},
    )


def _program_office(request: HttpRequest) -> None:
    if not is_program_office(request.user):
        raise PermissionDenied("Only the program office reads the radar of re-built wheels.")


def _cluster(request: HttpRequest, key: str):
    cluster = cluster_for_viewer(viewer=request.user, key=key)
    if cluster is None:
        raise Http404("No such cluster: the radar may have computed it again since the page was loaded.")
    return cluster


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    _program_office(request)
    radar = radar_page(viewer=request.user, page_number=request.GET.get("page"))
    return render(request, "catalog/duplicates.html", {"radar": radar, "dismiss_form": DismissForm()})


@login_required
@require_POST
def duplicates_dismiss(request: HttpRequest, key: str) -> HttpResponse:
    _program_office(request)
    cluster = _cluster(request, key)
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["reason"][0])
        return redirect(f"{reverse('catalog:duplicates')}#cluster-{cluster.key[:12]}")
    cluster_dismiss(cluster=cluster, user=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, "Marked not duplicates: the radar will not show them together again.")
    return redirect("catalog:duplicates")


@login_required
@require_POST
def duplicates_tell(request: HttpRequest, key: str) -> HttpResponse:
    _program_office(request)
    cluster = _cluster(request, key)
    result = cluster_owners_tell(cluster=cluster, user=request.user)
    notice = result.notice
    if result.sent:
        messages.success(
            request, f"Told {notice.recipients} owners and maintainers that they may want to talk."
        )
    else:
        who = (notice.by.get_full_name() or notice.by.get_username()) if notice.by else "someone"
        messages.info(request, f"Already sent on {day_text(notice.sent_on)} by {who}: nothing sent again.")
    return redirect(f"{reverse('catalog:duplicates')}#cluster-{cluster.key[:12]}")
