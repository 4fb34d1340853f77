import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import Membership, Team
from apps.accounts.services import team_create


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo account, its team and a reviewer on that team, and print "
        "the credentials."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument("--reviewer", default="demo-reviewer")
        parser.add_argument("--team", default="Demo team")

    def _account(self, username: str):
        password = secrets.token_urlsafe(9)
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        return user, password, "created" if created else "password reset"

    @transaction.atomic
    def handle(self, *args, username, reviewer, team, **options):
        user, password, state = self._account(username)
        demo_team = Team.objects.filter(name=team, memberships__user=user).first()
        if demo_team is None:
            demo_team = team_create(
                name=team, owner=user, description="A team to try the portal in."
            )
        self.stdout.write(f"Demo account ({state}): username {username!r}, password {password!r}")
        # A second person, so a review can be requested, commented and approved end to end.
        other, other_password, other_state = self._account(reviewer)
        Membership.objects.get_or_create(
            team=demo_team, user=other, defaults={"role": Membership.Role.REVIEWER}
        )
        self.stdout.write(
            f"Reviewer account ({other_state}): username {reviewer!r}, password {other_password!r}"
        )
