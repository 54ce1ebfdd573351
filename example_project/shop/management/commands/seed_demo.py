"""Fill the example console with staff, 1,000+ members, products and orders, and print the demo logins."""

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from secure_shopadmin.hashers.legacy_make import make_legacy_password
from secure_shopadmin.twofactor import links
from secure_shopadmin.twofactor.services import has_device
from shop.models import Order, OrderLine, Product

STAFF = (
    # username, password, group, superuser
    ("owner", "owner-demo-pass-2024", "owner", True),
    ("clerk", "clerk-demo-pass-2024", "clerk", False),
)
MEMBER_PASSWORD = "member-demo-pass"
#: an imported shop's members keep their old platform's hashes: (scheme, share of members, options)
MEMBER_HASH_MIX = (
    ("md5_salted", 35, {}),
    ("eccube", 20, {}),
    ("phpass", 10, {}),
    ("md5", 10, {}),
    ("bcrypt_php", 5, {"bcrypt_cost": 4}),
    ("magento2", 5, {"magento_versions": "1"}),
    ("argon2", 15, {}),
)
CLERK_PERMISSIONS = ("view_product", "change_product", "view_order", "change_order", "view_orderline")


class Command(BaseCommand):
    help = "Create the demo shop: staff (owner, clerk), members, products and orders. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=1000, help="How many members to create.")

    @transaction.atomic
    def handle(self, *args, members, **options):
        user_model = get_user_model()
        if user_model.objects.filter(username="owner").exists():
            self.stdout.write("The demo shop is already seeded.")
        else:
            self.create_groups()
            self.create_staff(user_model)
            created = self.create_members(user_model, members)
            self.create_catalogue_and_orders(user_model)
            self.stdout.write(self.style.SUCCESS(f"Seeded {created} members, {Product.objects.count()} products."))
        self.print_logins()

    def create_groups(self):
        owner, _ = Group.objects.get_or_create(name="owner")
        owner.permissions.set(Permission.objects.filter(content_type__app_label__in=["shop", "auth"]))
        clerk, _ = Group.objects.get_or_create(name="clerk")
        clerk.permissions.set(Permission.objects.filter(content_type__app_label="shop", codename__in=CLERK_PERMISSIONS))

    def create_staff(self, user_model):
        for username, password, group, superuser in STAFF:
            user = user_model.objects.create_user(
                username, f"{username}@shop.example", password, is_staff=True, is_superuser=superuser,
            )
            user.groups.add(Group.objects.get(name=group))

    def create_members(self, user_model, count):
        existing = set(user_model.objects.filter(username__startswith="member").values_list("username", flat=True))
        argon2 = make_password(MEMBER_PASSWORD)  # one argon2 hash for those members keeps seeding fast
        schemes = [(scheme, options) for scheme, share, options in MEMBER_HASH_MIX for _ in range(share)]
        new = [
            user_model(username=name, email=f"{name}@members.example", first_name="Member",
                       last_name=f"{number:04d}", password=self.member_hash(schemes[number % len(schemes)], argon2))
            for number in range(1, count + 1)
            if (name := f"member{number:04d}") not in existing
        ]
        user_model.objects.bulk_create(new, batch_size=1000)
        return len(new)

    def member_hash(self, scheme_options, argon2):
        scheme, options = scheme_options
        if scheme == "argon2":
            return argon2
        return make_legacy_password(scheme, MEMBER_PASSWORD, **options)

    def create_catalogue_and_orders(self, user_model):
        rng = random.Random(2014)
        Product.objects.bulk_create(
            [Product(sku=f"SKU-{n:04d}", name=f"Green tea set {n}", price=rng.randrange(500, 20000, 100),
                     stock=rng.randrange(0, 200)) for n in range(1, 51)],
            ignore_conflicts=True,
        )
        products = list(Product.objects.all())
        members = list(user_model.objects.filter(is_staff=False).order_by("pk")[:200])
        orders = Order.objects.bulk_create([Order(member=member, status=rng.choice(Order.Status.values))
                                            for member in members])
        OrderLine.objects.bulk_create([
            OrderLine(order=order, product=(product := rng.choice(products)), quantity=rng.randint(1, 3),
                      unit_price=product.price)
            for order in orders
        ])

    def print_logins(self):
        self.stdout.write("\nDemo logins:")
        self.stdout.write("  Console http://localhost:8000/admin/ (staff must set up two-factor authentication)")
        for username, password, group, _superuser in STAFF:
            self.stdout.write(f"    {username} / {password}  ({group})")
            self.stdout.write(f"      enrolment link: {self.enrolment_link(username)}")
        self.stdout.write("  Storefront http://localhost:8000/login/")
        self.stdout.write(f"    member0001 / {MEMBER_PASSWORD}  (any memberNNNN)")
        self.stdout.write("  Mails (enrolment links, alerts) are written to example_project/outbox/.")
        self.stdout.write("  Members hold a mix of legacy hashes: see the Security overview, then run")
        self.stdout.write("    python manage.py wrap_legacy_hashes --dry-run")

    def enrolment_link(self, username):
        """A fresh single-use link, as `manage.py twofactor_link` gives a shop's first owner."""
        user = get_user_model().objects.get(username=username)
        if has_device(user):
            return "(already set up)"
        return links.issue(user, reason="seed_demo bootstrap")
