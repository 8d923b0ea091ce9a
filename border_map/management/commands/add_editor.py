"""Add a person who may use the editors' pages (/editor/), or change their role."""

import getpass
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from border_map.roles import ROLES, ensure_groups


class Command(BaseCommand):
    help = (
        "Add an editor (adds articles, reviews places, drafts claims) or a reviewer (also "
        "publishes claims), or change an existing user's role. Asks for a password for a new "
        "user unless --password-from-env names a variable that holds it."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=ROLES, default="editor")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-from-env",
            metavar="VARIABLE",
            help="read the new user's password from this environment variable (for scripts)",
        )

    def handle(self, username: str, role: str, email: str, **options: Any) -> None:
        import os

        ensure_groups()
        User = get_user_model()
        with transaction.atomic():
            user, created = User.objects.get_or_create(username=username, defaults={"email": email})
            if created:
                variable = options.get("password_from_env")
                if variable:
                    password = os.environ.get(variable, "")
                    if not password:
                        raise CommandError(f"{variable} is not set or empty")
                else:
                    password = getpass.getpass(f"Password for {username}: ")
                    if password != getpass.getpass("Again: "):
                        raise CommandError("The two passwords differ; nothing was changed.")
                if len(password) < 8:
                    raise CommandError("A password needs 8 characters or more.")
                user.set_password(password)
                user.save()
            user.groups.remove(*Group.objects.filter(name__in=ROLES))
            user.groups.add(Group.objects.get(name=role))
        self.stdout.write(
            f"{'Added' if created else 'Updated'} {username} as {role}: sign in at /editor/"
        )
