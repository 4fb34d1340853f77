import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import Team
from apps.accounts.services import team_create


class Command(BaseCommand):
    help = "Create (or reset) the demo account and its team, and print the credentials."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument("--team", default="Demo team")

    @transaction.atomic
    def handle(self, *args, username, team, **options):
        password = secrets.token_urlsafe(9)
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        if not Team.objects.filter(name=team, memberships__user=user).exists():
            team_create(name=team, owner=user, description="A team to try the portal in.")
        state = "created" if created else "password reset"
        self.stdout.write(f"Demo account ({state}): username {username!r}, password {password!r}")
