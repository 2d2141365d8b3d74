"""Switches of the settings (portal/settings/) read from the environment, as the settings evaluate them."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.settings_files import settings_evaluated

USAGE = "metrics.middleware.UsageMiddleware"


def evaluated(**environment: str) -> dict:
    """The settings evaluated afresh with these variables (and no SMTP server configured)."""
    return settings_evaluated(**{"EMAIL_HOST": "", **environment})


def mail_backend(settings: dict) -> str:
    return settings["MAILERS"]["default"]["BACKEND"]


def test_by_default_page_views_are_recorded_and_e_mails_printed():
    settings = evaluated(USAGE_PAGE_VIEWS="", EMAIL_SEND="")
    assert USAGE in settings["MIDDLEWARE"]
    assert mail_backend(settings) == "django.core.mail.backends.console.EmailBackend"


def test_usage_page_views_false_leaves_the_usage_middleware_out_and_keeps_the_rest_in_order():
    recorded, unrecorded = evaluated(USAGE_PAGE_VIEWS="true"), evaluated(USAGE_PAGE_VIEWS="false")
    assert USAGE not in unrecorded["MIDDLEWARE"]
    assert unrecorded["MIDDLEWARE"] == [m for m in recorded["MIDDLEWARE"] if m != USAGE]


def test_email_send_false_drops_e_mails_but_an_smtp_server_still_wins():
    assert mail_backend(evaluated(EMAIL_SEND="false")) == "django.core.mail.backends.dummy.EmailBackend"
    smtp = evaluated(EMAIL_SEND="false", EMAIL_HOST="smtp.acme.example")
    assert mail_backend(smtp) == "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize("name", ["USAGE_PAGE_VIEWS", "EMAIL_SEND"])
def test_a_switch_that_is_neither_true_nor_false_stops_the_start_with_its_name(name):
    with pytest.raises(ImproperlyConfigured, match=name):
        evaluated(**{name: "sometimes"})
