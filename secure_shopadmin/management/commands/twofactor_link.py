"""Issue a two-factor enrolment link from the shell: the first owner's bootstrap, or break-glass."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ...core.links import MissingSiteURL
from ...twofactor import links
from ...twofactor.models import EnrolmentLink


class Command(BaseCommand):
    help = (
        "Print (and optionally mail) a single-use link for USERNAME to set up two-factor authentication. "
        "--break-glass makes a link that also removes the account's devices and lockouts, for a sole owner "
        "who lost their authenticator."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--break-glass", action="store_true", help="Reset 2FA and lockouts when used.")
        parser.add_argument("--mail", action="store_true", help="Also mail the link to the user's address.")
        parser.add_argument("--reason", default="", help="Recorded in the audit trail.")

    def handle(self, username, break_glass, mail, reason, **options):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get_by_natural_key(username)
        except user_model.DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None
        purpose = EnrolmentLink.Purpose.BREAK_GLASS if break_glass else EnrolmentLink.Purpose.ENROL
        try:
            link, url = links.issue_link(user, purpose=purpose, reason=reason or f"{purpose} link from manage.py")
        except MissingSiteURL:
            raise CommandError('No link was made: a link made outside a request needs the site\'s address. Set '
                               'SECURE_SHOPADMIN["SITE_URL"] (e.g. "https://shop.example") and run the command '
                               "again.") from None
        self.stdout.write(url)
        if mail and links.mail(user, url, link=link) != links.SENT:
            raise CommandError(f"The link above was NOT mailed to {username!r}: the user has no address or the mail "
                               "server failed (see the log). Give the user the link yourself, or fix the mail "
                               "settings and run the command again.")
        if mail:
            self.stderr.write(f"Mailed to {user.email}.")
