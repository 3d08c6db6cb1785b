"""manage.py town_member USER --town SLUG [--role viewer|planner|admin] [--password-env VAR]

An admin of a town is made staff so they can use the town-scoped Django admin (docs/accounts.md).
"""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from twin.management.base import REJECTED
from twin.models import Town, TownMembership


class Command(BaseCommand):
    help = "Create or update a user and give them a role in a town."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--town", required=True, action="append", help="repeatable")
        parser.add_argument("--role", default="viewer", choices=TownMembership.Role.values)
        parser.add_argument(
            "--password-env", help="environment variable holding the password (never argv)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        towns = list(Town.objects.filter(slug__in=options["town"]))
        missing = set(options["town"]) - {t.slug for t in towns}
        if missing:
            raise CommandError(f"no town {sorted(missing)}", returncode=REJECTED)
        user, created = User.objects.get_or_create(username=options["username"])
        if options["password_env"]:
            password = os.environ.get(options["password_env"])
            if not password:
                raise CommandError(f"${options['password_env']} is empty", returncode=REJECTED)
            user.set_password(password)
        if options["role"] == TownMembership.Role.ADMIN:
            user.is_staff = True  # a town admin works in the (town-scoped) Django admin
        user.save()
        for town in towns:
            TownMembership.objects.update_or_create(
                user=user, town=town, defaults={"role": options["role"]}
            )
        verb = "created" if created else "updated"
        self.stdout.write(f"{verb} {user.username}: {options['role']} of {sorted(options['town'])}")
