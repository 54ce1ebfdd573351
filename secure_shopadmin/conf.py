"""Every setting of the app, its default and its meaning, in one place.

A host project sets only the keys it changes, in one dict::

    SECURE_SHOPADMIN = {"SHOP_NAME": "Example Shop", "API_PREFIXES": ["/api/"]}

Code reads them through :data:`app_settings` (``app_settings.SHOP_NAME``), which
is rebuilt when Django's ``setting_changed`` signal fires (``override_settings``
in tests). Nothing here ever writes into ``django.conf.settings``.

The django-axes settings the guard depends on are read through the same object
(``app_settings.AXES_FAILURE_LIMIT``), from Django's settings with django-axes' own
defaults (:data:`AXES_DEFAULTS`; a test holds them against ``axes.conf``).
"""

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

SETTINGS_NAME = "SECURE_SHOPADMIN"

#: key -> (default, one-line meaning). The docs' settings reference is checked
#: against this table by a test.
DEFAULTS = {
    # --- core ---------------------------------------------------------------
    "SHOP_NAME": (
        "",
        "The shop's name in mails, pages and as the TOTP issuer; empty means the admin's site_header.",
    ),
    "API_PREFIXES": (
        ("/api/",),
        "Path prefixes answered with JSON (401/403) instead of redirects when a session is refused.",
    ),
    "PARTIAL_LOGIN_TIMEOUT": (
        300,
        "Seconds a password-checked but unfinished login (second factor, reset) stays valid.",
    ),
    "EXTRA_ALLOWED_URL_NAMES": (
        (),
        "Extra URL names ('namespace:name') a session with a pending step may still reach.",
    ),
    "STOREFRONT_BASE_TEMPLATE": (
        "secure_shopadmin/storefront_base.html",
        "Template the pages a member sees extend (blocks: title, content, optional extra_head); staff get the admin's.",
    ),
    "STOREFRONT_LOGIN_URL_NAME": (
        "",
        "URL name of the host's member login page; empty means settings.LOGIN_URL.",
    ),
    "ENCRYPTION_KEYS": (
        (),
        "Fernet keys (newest first) that encrypt OTP secrets and recorded session keys at rest.",
    ),
    "USER_LANGUAGE": (
        "secure_shopadmin.core.mail.default_user_language",
        "Dotted path to a function(user) -> each user's mail language; the default: user.language, else the "
        "language of the user's last login (LocaleMiddleware), else LANGUAGE_CODE.",
    ),
    "SECURITY_CONTACTS": (
        (),
        "E-mail addresses of the shop's security contacts, told of staff alerts and 'this wasn't me'.",
    ),
    "SITE_URL": (
        "",
        "The one base URL of every link in mails and pages, e.g. https://shop.example (never the Host header).",
    ),
    "AUDIT_RETENTION_DAYS": (
        730,
        "Days security events are kept; prune_security_events deletes older ones (None keeps them all).",
    ),
    "REPORT_THRESHOLDS": (
        {"staff_without_2fa": 0, "phishing_resistant_missing": 0},
        "security_report exits non-zero when a figure (by key) is above its limit here.",
    ),
    "ADMIN_SHOW_REPLACED_MODELS": (
        False,
        "Keep in the admin the models the app replaces: django-axes' access attempts, access logs and access "
        "failures, and DRF's auth tokens (read at start-up).",
    ),
    "SECURITY_LOGGER": (
        "secure_shopadmin.security",
        "Name of the logger that receives one structured record per security event.",
    ),
    # --- hashers ------------------------------------------------------------
    "LEGACY_PEPPERS": (
        {},
        "Site-wide secrets of an old platform, by scheme: {'eccube': AUTH_MAGIC, 'prestashop': COOKIE_KEY}.",
    ),
    "LEGACY_EQUALISE_TIMING": (
        True,
        "Make a wrong password against a legacy or wrapped hash cost as much as against argon2id.",
    ),
    "FAILED_LOGIN_PADDING": (
        "slowest",
        "How long a failed login lasts: 'slowest' (a wrong password against the slowest stored format, e.g. a "
        "legacy bcrypt: no username tells it holds one) or 'preferred' (one preferred-hasher check: a sync worker "
        "sleeps no longer than a real check, but an account still holding a slower hash answers more slowly).",
    ),
    "WRAP_BATCH_SIZE": (
        500,
        "Users per batch in wrap_legacy_hashes.",
    ),
    "WRAP_ARGON2_PARAMS": (
        (2, 19456, 1),
        "argon2id (time_cost, memory_cost KiB, parallelism) of new wrapped hashes, named in each (OWASP's minimum "
        "by default; the next login upgrades to the preferred hasher); None takes the preferred hasher's.",
    ),
    "DEVICE_COOKIE": (
        "ssa_device",
        "Name of the long-lived, signed, HttpOnly cookie that identifies a browser.",
    ),
    "DEVICE_COOKIE_AGE": (
        2 * 365 * 86400,
        "Seconds the device cookie lives.",
    ),
    # --- twofactor -------------------------------------------------------------
    "TWO_FACTOR_POLICY": (
        {"staff": True, "superusers": True, "members": False, "groups": (), "permissions": ()},
        "Who must use a second factor: staff, superusers, all members, named groups or 'app.codename' perms.",
    ),
    "TOTP_ISSUER": (
        "",
        "Issuer shown in authenticator apps; empty means SHOP_NAME.",
    ),
    "TOTP_TOLERANCE": (
        1,
        "TOTP steps accepted either side of now (1 = ±30 s).",
    ),
    "ENROLMENT_LINK_TTL": (
        86400,
        "Seconds a mailed enrolment (or break-glass) link stays valid.",
    ),
    "ENROLMENT_WITHOUT_LINK": (
        False,
        "Development only: let a user under the policy enrol right after the password (deploy check E020).",
    ),
    "ENROLMENT_LINK_RESEND_AFTER": (
        600,
        "Seconds before another password login may mail a new enrolment link to the same user.",
    ),
    "RECOVERY_CODE_COUNT": (
        10,
        "Recovery codes issued per set.",
    ),
    "REMEMBER_BROWSER_DAYS": (
        7,
        "Days a remembered browser skips the second factor; 0 turns the option off.",
    ),
    "REMEMBER_BROWSER_FOR_SUPERUSERS": (
        False,
        "Whether superusers may remember a browser.",
    ),
    "REMEMBER_BROWSER_COOKIE": (
        "ssa_trusted",
        "Name of the remembered-browser cookie.",
    ),
    # --- console sessions --------------------------------------------------------
    "CONSOLE_IDLE_TIMEOUT": (
        3600,
        "Seconds without a request after which a console session ends (NIST SP 800-63B-4 §2.2.3); None: never.",
    ),
    "CONSOLE_MAX_AGE": (
        43200,
        "Seconds after its login at which a console session ends, however busy; None: never.",
    ),
    "PASSIVE_URL_NAMES": (
        (),
        "URL names ('namespace:name') of background requests (polling) that never count as activity for the "
        "idle timeouts; views marked with console.decorators.not_activity count as such too.",
    ),
    "STOREFRONT_IDLE_TIMEOUT": (
        None,
        "Seconds without a request after which a member's storefront session ends; None leaves it to Django.",
    ),
    "STOREFRONT_MAX_AGE": (
        None,
        "Seconds after its login at which a storefront session ends; None leaves it to Django.",
    ),
    "REQUIRE_PHISHING_RESISTANT": (
        {"staff": False, "superusers": False, "members": False, "groups": (), "permissions": ()},
        "Who must verify with a passkey or security key (TOTP alone is refused); same keys as TWO_FACTOR_POLICY, "
        "left-out keys mean no.",
    ),
    "PASSKEY_CEREMONY_TIMEOUT": (
        180,
        "Seconds a passkey challenge (registration or sign-in) stays valid; the browser's prompt waits as long.",
    ),
    "REAUTH_MAX_AGE": (
        300,
        "Seconds a second-factor code counts as fresh: sensitive admin and self-service actions ask again after.",
    ),
    "CONSOLE_ALLOWED_NETWORKS": (
        (),
        "CIDRs the console may be reached from (client IP as the guard sees it); empty means any network.",
    ),
    "API_TOKEN_MAX_AGE": (
        None,
        "Seconds an API token works after it is issued; None: until revoked. A staff or superuser token "
        "never outlives CONSOLE_MAX_AGE either.",
    ),
    "CONSOLE_PASS_LINK_TTL": (
        3600,
        "Seconds a break-glass console link (console_pass) stays valid; the browser that opens it is let in "
        "from any network for CONSOLE_MAX_AGE.",
    ),
    # --- resets ---------------------------------------------------------------
    "RESET_LINK_TTL": (
        259200,
        "Seconds a mailed forced-reset link stays valid (3 days); a new mail voids the older link.",
    ),
    "RESET_BASE_URL": (
        "",
        "Deprecated alias of SITE_URL (check W003); read only while SITE_URL is empty. Removed in 0.3.",
    ),
    "RESET_LINK_RESEND_INTERVAL": (
        900,
        "Seconds before a user may ask for another forced-reset link (self-service 'send me a new link').",
    ),
    "RESET_BATCH_SIZE": (
        1000,
        "Users per transaction when forcing resets in bulk (admin action, force_password_reset).",
    ),
    "RESET_DEFAULT_MODE": (
        "compromised",
        "Mode preselected for a new forced reset: 'compromised' (password made unusable) or 'change'.",
    ),
    "MAIL_BATCH_SIZE": (
        100,
        "Mails sent per SMTP connection by the outgoing-mail sender.",
    ),
    "MAIL_MAX_ATTEMPTS": (
        5,
        "Attempts before a failed outgoing mail stays failed (not retried any more).",
    ),
    "BREACHED_PASSWORD_FILES": (
        (),
        "Extra blocklist files (one password a line, .txt or .txt.gz) added to the shipped breached-password list.",
    ),
    "PWNED_RANGE_API_URL": (
        "",
        "k-anonymity range API (e.g. 'https://api.pwnedpasswords.com/range/'); empty turns the online check off.",
    ),
    "PWNED_RANGE_API_TIMEOUT": (
        2.0,
        "Seconds to wait for the range API; on timeout or error the online check lets the password pass.",
    ),
    "EMAIL_CHANGE_CODE_REQUIRED": (
        True,
        "Whether staff (users under the 2FA policy) must also enter a current second-factor code to change e-mail.",
    ),
    "EMAIL_CHANGE_CONFIRM": (
        True,
        "Whether a new e-mail address takes effect only when the link mailed to it is opened (False: at once).",
    ),
    "EMAIL_CHANGE_CONFIRM_MAX_AGE": (
        3 * 24 * 3600,
        "Seconds the link confirming a new e-mail address works.",
    ),
    "EMAIL_CHANGE_LINKS_PER_HOUR": (
        5,
        "Confirmation links one user may have mailed in an hour (a session cannot mail strangers without end).",
    ),
    # --- alerts ---------------------------------------------------------------
    "LOGIN_HISTORY": (
        True,
        "Record every login (LoginRecord) and check its environment; False keeps only the session registry.",
    ),
    "RECORD_FAILED_STAFF_LOGINS": (
        True,
        "Also record failed and refused logins whose username names a staff user (written after the response).",
    ),
    "LOGIN_RECORD_RETENTION_DAYS": (
        180,
        "Days prune_login_records keeps login records (each user's latest successful login is always kept).",
    ),
    "FAMILIAR_WINDOW_DAYS": (
        90,
        "A successful login this recent makes its browser family + OS family + IP network familiar.",
    ),
    "IPV4_PREFIX_LENGTH": (
        24,
        "Bits of an IPv4 address that name its network: a changed IP inside it counts as the same network.",
    ),
    "IPV6_PREFIX_LENGTH": (
        64,
        "Bits of an IPv6 address that name its network.",
    ),
    "LOGIN_ALERTS": (
        True,
        "Mail the user when a login comes from an unfamiliar environment.",
    ),
    "ALERT_LIMIT": (
        3,
        "Alert mails per user per ALERT_LIMIT_WINDOW; further unfamiliar logins are recorded, not mailed.",
    ),
    "ALERT_LIMIT_WINDOW": (
        3600,
        "Seconds over which ALERT_LIMIT counts.",
    ),
    "ALERT_STAFF_TO_SECURITY_CONTACTS": (
        True,
        "Also tell SECURITY_CONTACTS of a staff login from an unfamiliar environment.",
    ),
    "ALERT_LINK_TTL": (
        7 * 86400,
        "Seconds the 'this was me' / 'this wasn't me' links of an alert mail act.",
    ),
    "PASSWORD_CHANGED_NOTICE": (
        True,
        "Mail the user after any deliberate password change (not after a hash upgrade or wrap).",
    ),
    "LOGIN_HISTORY_LENGTH": (
        20,
        "Logins listed on the user's login history page and on a user's admin page.",
    ),
    # --- risk-based logins (docs/risk.rst) --------------------------------------
    "GEOIP_DATABASES": (
        (),
        "Paths of MaxMind-format .mmdb files (City, Country or ASN; the kind is read from each file) that "
        "place a login's address; empty: no place, no network owner.",
    ),
    "GEOIP_MAX_AGE_DAYS": (
        60,
        "A configured GeoIP database built longer ago than this many days is reported by a system check.",
    ),
    "RISK_ASSESSMENT": (
        True,
        "Assess every password login's risk (named reasons, low/medium/high) and act on it by RISK_POLICY.",
    ),
    "RISK_POLICY": (
        {"storefront": {"medium": "notify", "high": "challenge"},
         "console": {"medium": "notify", "high": "notify"}},
        "Per channel and level, what a risky login meets: 'notify' (the alert mail), 'challenge' (an e-mailed "
        "code before the login completes, when no second factor was given) or 'block'.",
    ),
    "RISK_ADAPTER": (
        "secure_shopadmin.alerts.risk.RiskAdapter",
        "Dotted path to the class whose adjust(request, user, assessment, facts) may add a host's own reasons.",
    ),
    "MAX_TRAVEL_KMH": (
        900,
        "Speed above which the distance from the user's last located login means impossible travel.",
    ),
    "ANONYMOUS_NETWORK_FILES": (
        (),
        "Text files of CIDRs (one a line, # comments) the shop keeps: Tor exits, hosting ranges, VPN exits.",
    ),
    "RISK_RECENT_FAILURES": (
        5,
        "Failed password attempts on the account before a success that count as the 'many failures' reason.",
    ),
    "RISK_CODE_TTL": (
        600,
        "Seconds an e-mailed risk code stays valid (at most 600).",
    ),
    "RISK_CODE_RESEND_AFTER": (
        60,
        "Seconds before another risk code may be mailed for the same login.",
    ),
    # --- lockout ---------------------------------------------------------------
    "LOCKOUT_PAIR_LIMIT": (
        None,
        "Failures of one (account, client IP) pair that lock it; None takes django-axes' AXES_FAILURE_LIMIT.",
    ),
    "LOCKOUT_PAIR_COOLOFFS": (
        (900, 3600, 21600),
        "Seconds a pair stays locked at its 1st, 2nd, 3rd… lock; the last value repeats (never permanent).",
    ),
    "LOCKOUT_PAIR_FORGET_AFTER": (
        86400,
        "Seconds without a failure after which a pair's failures and repeat level are forgotten.",
    ),
    "LOCKOUT_IP_LIMIT": (
        20,
        "Failures from one client IP (any usernames) within LOCKOUT_IP_WINDOW that lock the IP (credential stuffing).",
    ),
    "LOCKOUT_IP_WINDOW": (
        600,
        "Seconds, from the first failure, over which LOCKOUT_IP_LIMIT counts.",
    ),
    "LOCKOUT_IP_COOLOFF": (
        900,
        "Seconds a client IP stays locked.",
    ),
    "LOCKOUT_IPV6_PREFIX": (
        64,
        "IPv6 clients are counted per network of this many bits (one /64 is one client).",
    ),
    "LOCKOUT_TRUSTED_PROXIES": (
        (),
        "IPs or CIDRs of your reverse proxies; only then is the client IP read from LOCKOUT_FORWARDED_HEADER.",
    ),
    "LOCKOUT_FORWARDED_HEADER": (
        "HTTP_X_FORWARDED_FOR",
        "request.META key of the forwarded-for header, parsed from the right past the trusted proxies.",
    ),
    "LOCKOUT_ACCOUNT_DELAY_AFTER": (
        10,
        "Consecutive failures of one account (any IPs) after which each attempt must wait a doubling delay.",
    ),
    "LOCKOUT_ACCOUNT_DELAY_BASE": (
        30,
        "Seconds of the first per-account delay; it doubles with each further failure.",
    ),
    "LOCKOUT_ACCOUNT_DELAY_MAX": (
        900,
        "Longest per-account delay in seconds.",
    ),
    "LOCKOUT_ACCOUNT_LOCK_AFTER": (
        100,
        "Consecutive failures that lock the account until the mailed unlock, an admin or a password reset opens it.",
    ),
    "LOCKOUT_ACCOUNT_FORGET_AFTER": (
        86400,
        "Seconds without a failure after which an (unlocked) account's consecutive failures are forgotten.",
    ),
    "LOCKOUT_ACCOUNT_LOCK_RETRY_AFTER": (
        3600,
        "Retry-After seconds sent while an account is locked until unlock (the page never says which rule).",
    ),
    "LOCKOUT_OTP_LIMIT": (
        5,
        "Wrong TOTP or recovery codes per (account, client IP) within LOCKOUT_OTP_WINDOW before codes are refused.",
    ),
    "LOCKOUT_OTP_WINDOW": (
        900,
        "Seconds over which LOCKOUT_OTP_LIMIT counts, and how long the (account, IP) is then refused codes.",
    ),
    "LOCKOUT_OTP_ACCOUNT_DELAY_AFTER": (
        20,
        "Consecutive wrong codes of one account from any networks after which each further "
        "code must wait a doubling delay (a browser that completed a login of the account is exempt); at this "
        "ceiling the user and SECURITY_CONTACTS are mailed that the password is known.",
    ),
    "LOCKOUT_OTP_ACCOUNT_WINDOW": (
        86400,
        "Seconds without a wrong code after which an account's consecutive wrong codes are forgotten (24 hours).",
    ),
    "LOCKOUT_OTP_ACCOUNT_LOCK_AFTER": (
        100,
        "Consecutive wrong codes of one account (any networks) that lock its codes until a reset, an admin's "
        "unlock or a login from a known browser (NIST SP 800-63B-4: at most 100); known browsers pass.",
    ),
    "LOCKOUT_OTP_ACCOUNT_DELAY_BASE": (
        60,
        "Seconds of the first account-wide code delay; it doubles with each further wrong code.",
    ),
    "LOCKOUT_OTP_ACCOUNT_DELAY_MAX": (
        3600,
        "Longest account-wide code delay in seconds.",
    ),
    "LOCKOUT_UNLOCK_LINK_TTL": (
        86400,
        "Seconds a mailed unlock link stays valid.",
    ),
    "LOCKOUT_UNLOCK_PASS_TTL": (
        86400,
        "Seconds a browser freed by an unlock link may pass the account's and its pair's locks.",
    ),
    "LOCKOUT_MAIL_INTERVAL": (
        3600,
        "At most one unlock mail, and one wrong-code mail, per user in this many seconds.",
    ),
    "LOCKOUT_CACHE": (
        None,
        "Cache alias (a shared cache such as Redis) for the counters; None counts in database rows.",
    ),
    "LOCKOUT_CACHE_RETRY": (
        30,
        "Seconds the counters stay in database rows after LOCKOUT_CACHE could not be reached (a refused or "
        "timed-out connection), before the cache is tried again.",
    ),
    "LOCKOUT_CACHE_SCRIPT": (
        True,
        "With LOCKOUT_CACHE on Django's Redis cache, take an attempt's slot with one Lua script (one round "
        "trip) whenever no lock, delay or limit is near; False always takes the several-call path.",
    ),
    "LOCKOUT_RETENTION_DAYS": (
        30,
        "Days prune_lockout keeps expired counters, spent unlock links and django-axes' logs.",
    ),
    # --- campaigns --------------------------------------------------------------
    "CAMPAIGN_BATCH_SIZE": (
        1000,
        "Targets per transaction when a breach campaign contains its targets (require, end sessions, queue mail).",
    ),
    "CAMPAIGN_WRAP_WORKERS": (
        None,
        "Processes hashing argon2 when a campaign wraps its targets' former legacy hashes; None: one per CPU, as "
        "many as half the available memory holds (memory: workers x argon2 memory).",
    ),
    "CAMPAIGN_WRAP_TASK_SIZE": (
        2000,
        "Targets per wrap task when CAMPAIGN_RUNNER is a task queue ('celery', 'django_tasks'): the wrap is split "
        "into primary-key ranges of this size that any number of workers share.",
    ),
    "CAMPAIGN_MAILS_PER_MINUTE": (
        0,
        "At most this many campaign mails a minute (the sender paces itself); 0 means no limit.",
    ),
    "CAMPAIGN_MAIL_ATTEMPTS": (
        5,
        "Attempts per campaign mail on a temporary failure (SMTP 4xx, connection refused or reset) before it "
        "counts as failed; the waits between them double from CAMPAIGN_MAIL_RETRY_SECONDS.",
    ),
    "CAMPAIGN_MAIL_RETRY_SECONDS": (
        5.0,
        "Wait before the first retry of a campaign mail that failed temporarily (then 2x, 4x, ... at most 300 s).",
    ),
    "CAMPAIGN_RUNNER": (
        "subprocess",
        "How the admin starts a run: 'subprocess' (detached run_campaign), 'celery', 'django_tasks', 'inline', "
        "or a dotted path to a function(campaign_id).",
    ),
    "CAMPAIGN_COMMAND": (
        None,
        "argv of the detached run ('{id}' is replaced); None runs this Python with -m django run_campaign {id}.",
    ),
    "CAMPAIGN_STALE_AFTER": (
        300,
        "Seconds without a heartbeat after which a 'running' campaign run counts as stopped and may be resumed.",
    ),
    "CAMPAIGN_PROGRESS_INTERVAL": (
        3,
        "Seconds between two refreshes of a campaign's progress on its admin page.",
    ),
}

#: django-axes settings the app reads, with django-axes' own defaults (they apply when a key is unset).
AXES_DEFAULTS = {
    "AXES_FAILURE_LIMIT": 3,
    "AXES_USERNAME_FORM_FIELD": "username",
    "AXES_ONLY_ADMIN_SITE": False,
    "AXES_ENABLE_ACCESS_FAILURE_LOG": False,
    "AXES_DISABLE_ACCESS_LOG": False,
    "AXES_HANDLER": "axes.handlers.database.AxesDatabaseHandler",
    "AXES_CLIENT_IP_CALLABLE": None,
    "AXES_LOCKOUT_CALLABLE": None,
    "AXES_SENSITIVE_PARAMETERS": ["username", "ip_address"],
    "AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT": True,
}


class AppSettings:
    """Read-only view of ``settings.SECURE_SHOPADMIN`` merged over :data:`DEFAULTS`."""

    def __init__(self):
        self._cache = {}

    @property
    def user_settings(self):
        value = getattr(settings, SETTINGS_NAME, None) or {}
        return value if isinstance(value, dict) else {}

    def __getattr__(self, name):
        if name in AXES_DEFAULTS:
            return getattr(settings, name, AXES_DEFAULTS[name])
        if name not in DEFAULTS:
            raise AttributeError(f"Unknown {SETTINGS_NAME} key: {name!r}")
        if name not in self._cache:
            self._cache[name] = self.user_settings.get(name, DEFAULTS[name][0])
        return self._cache[name]

    def unknown_keys(self):
        return sorted(set(self.user_settings) - set(DEFAULTS))

    def reload(self):
        self._cache = {}


app_settings = AppSettings()


@receiver(setting_changed)
def _reload_app_settings(*, setting, **kwargs):
    if setting == SETTINGS_NAME:
        app_settings.reload()
