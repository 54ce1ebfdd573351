"""Django finds the app's models here; each lives in its capability's sub-package."""

from .alerts.models import EnvironmentAlert, KnownDevice, LoginRecord, UserSession  # noqa: F401
from .audit.models import SecurityEvent, SecurityOverview  # noqa: F401
from .campaigns.models import Campaign, CampaignSource, CampaignTarget  # noqa: F401,E402
from .lockout.models import Counter, GuardNotice, UnlockLink  # noqa: F401,E402
from .resets.models import OutgoingMail, ResetRequirement  # noqa: F401
from .twofactor.models import (  # noqa: F401
    AuthenticatorDevice,
    EnrolmentLink,
    RecoveryCode,
    RecoveryCodeSet,
    RememberedBrowser,
    VerifiedApiToken,
)
