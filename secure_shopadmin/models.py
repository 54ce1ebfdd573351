"""Django finds the app's models here; each lives in its capability's sub-package."""

from .alerts.models import EnvironmentAlert, LoginRecord  # noqa: F401
from .audit.models import SecurityEvent, SecurityOverview  # noqa: F401
from .campaigns.models import Campaign, CampaignSource, CampaignTarget  # noqa: F401,E402
from .console.models import ConsolePass, PrivilegeSnapshot  # noqa: F401
from .core.models import ApiToken, KnownDevice, MailLanguage, UserSession  # noqa: F401
from .lockout.models import Counter, DailyFailures, GuardNotice, UnlockLink  # noqa: F401,E402
from .resets.models import EmailChangeLink, OutgoingMail, ResetRequirement  # noqa: F401
from .twofactor.models import AuthenticatorDevice, EnrolmentLink, RecoveryCode, RememberedBrowser  # noqa: F401
from .twofactor.passkeys.models import PasskeyDevice  # noqa: F401
