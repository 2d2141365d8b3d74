"""The program office's settings of the value of reuse (the cost of an engineer-day, the program's yearly
cost): one page, for the program office only, every change in the audit log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from catalog.effort import effort_assumptions
from catalog.permissions import is_program_office
from metrics.forms import ReuseValueSettingsForm
from metrics.selectors import reuse_value_settings
from metrics.value_settings import reuse_value_settings_update


@login_required
@require_http_methods(["GET", "POST"])
def value_settings(request: HttpRequest) -> HttpResponse:
    if not is_program_office(request.user):
        raise PermissionDenied("Only the program office sets the costs behind the value of reuse.")
    current = reuse_value_settings()
    if request.method == "POST":
        form = ReuseValueSettingsForm(request.POST)
        if form.is_valid():
            reuse_value_settings_update(user=request.user, **form.cleaned_data)
            messages.success(
                request, "Saved. The dashboards show the new value of reuse when their figures next refresh."
            )
            return redirect("metrics:value_settings")
        status = 400
    else:
        form = ReuseValueSettingsForm(
            initial={
                "engineer_day_cost": current.engineer_day_cost,
                "currency": current.currency,
                "program_yearly_cost": current.program_yearly_cost,
            }
        )
        status = 200
    return render(
        request,
        "metrics/value_settings.html",
        {"form": form, "current": current, "model": effort_assumptions()},
        status=status,
    )
