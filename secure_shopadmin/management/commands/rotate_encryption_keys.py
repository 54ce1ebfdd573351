"""Re-encrypt every secret at rest under the newest ENCRYPTION_KEYS entry, without downtime."""

from django.core.management.base import BaseCommand
from django.db import transaction

from ...alerts.models import RiskChallenge
from ...core import crypto
from ...core.models import UserSession
from ...twofactor.models import AuthenticatorDevice

BATCH = 500
#: (model, encrypted field)
ENCRYPTED = ((AuthenticatorDevice, "key_encrypted"), (UserSession, "key_encrypted"),
             (RiskChallenge, "deny_token_encrypted"))


class Command(BaseCommand):
    help = (
        "Put a new Fernet key first in SECURE_SHOPADMIN['ENCRYPTION_KEYS'] (keep the old ones after it), deploy, "
        "run this command, then remove the old keys. Safe to run again or to interrupt."
    )

    def handle(self, **options):
        fernet = crypto.fernet()
        for model, field in ENCRYPTED:
            done = self.rotate(model, field, fernet)
            self.stdout.write(f"{model._meta.verbose_name_plural}: {done} re-encrypted")
        self.stdout.write(self.style.SUCCESS("Done: the old keys can now be removed."))

    def rotate(self, model, field, fernet):
        done, last_pk = 0, 0
        while True:
            with transaction.atomic():
                rows = list(model.objects.filter(pk__gt=last_pk).order_by("pk").values_list("pk", field)[:BATCH])
                for pk, token in rows:
                    rotated = fernet.rotate(token.encode()).decode()
                    # compare-and-set: a row changed meanwhile keeps its newer value
                    done += model.objects.filter(pk=pk, **{field: token}).update(**{field: rotated})
            if not rows:
                return done
            last_pk = rows[-1][0]
