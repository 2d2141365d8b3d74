"""Accounts: passwords, e-mail sign-in and sign-up (django-allauth), signing in with GitHub, GitLab or
the company's single sign-on, and whether the whole portal needs a signed-in person."""

from portal.settings.environment import TESTING, env_bool, env_str

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Accounts (django-allauth): e-mail login, sign-up, password reset; forges and company SSO by environment.
SITE_ID = 1
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "portal.forms.SignupForm"
# Sign-up and password reset never tell whether an address has an account (allauth's default, set here so
# that it stays): a reset for an unknown address answers as for a known one, and mails the address
# instead. At sign-up allauth can only hide an existing account when the address must be verified before
# the account is used ("mandatory"): the sign-up then answers "check your e-mail" either way, and the
# owner of the taken address is told by e-mail. With "optional" a taken address is refused on the form
# (portal.checks warns about it).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
# The person who follows the link from the sign-up's mail in the same browser is signed in.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
LOGIN_REDIRECT_URL = "/"
# The whole portal for signed-in people only (most intranets want this): anonymous visitors are sent to
# the sign-in page, except on the sign-in, sign-up and password-reset pages, the probes, the webhooks,
# static files and the API (portal.middleware.SignInRequiredMiddleware). Off: the catalog is open, and
# only people's data (profiles, members, badge holders, adopting teams) needs a signed-in viewer.
PORTAL_SIGN_IN_REQUIRED = env_bool("PORTAL_SIGN_IN_REQUIRED", default=False)
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_PROVIDERS: dict = {}
if env_str("GITHUB_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["github"] = {
        "APPS": [{"client_id": env_str("GITHUB_CLIENT_ID"), "secret": env_str("GITHUB_CLIENT_SECRET")}],
        "SCOPE": ["read:user", "user:email"],
    }
    if env_str("GITHUB_URL"):
        SOCIALACCOUNT_PROVIDERS["github"]["GITHUB_URL"] = env_str("GITHUB_URL")
if env_str("GITLAB_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["gitlab"] = {
        "APPS": [
            {
                "client_id": env_str("GITLAB_CLIENT_ID"),
                "secret": env_str("GITLAB_CLIENT_SECRET"),
                "settings": {"gitlab_url": env_str("GITLAB_URL", "https://gitlab.com")},
            }
        ],
        "SCOPE": ["read_user"],
    }
if env_str("OIDC_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": "company-sso",
                "name": env_str("OIDC_NAME", "Company SSO"),
                "client_id": env_str("OIDC_CLIENT_ID"),
                "secret": env_str("OIDC_CLIENT_SECRET"),
                "settings": {"server_url": env_str("OIDC_SERVER_URL")},
            }
        ]
    }

# The OIDC claim that names a person's business unit (a BusinessUnit's slug or name), e.g. "department":
# each sign-in through the company sign-on sets the unit from it (unknown values are logged and ignored).
# Empty: the sign-on sets no unit, and units come from the organisation directory or the program office.
OIDC_BUSINESS_UNIT_CLAIM = env_str("OIDC_BUSINESS_UNIT_CLAIM", "")

# Sign-in and sign-up limits (django-allauth): failed logins per address and per account, sign-ups per address.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("LOGIN_FAILED_RATE", "10/m/ip,5/300s/key"),
    "signup": env_str("SIGNUP_RATE", "20/h/ip"),
}
