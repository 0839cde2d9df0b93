from django.core.management.base import BaseCommand, CommandError

from accounts.models import Office, Role
from api.services import partner_register
from referrals.models import Organization


class Command(BaseCommand):
    help = "Give a partner system OAuth2 client credentials, bound to an office or a directory organization."

    def add_arguments(self, parser):
        parser.add_argument("name")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--office", help="The office's code.")
        target.add_argument("--organization", help="The directory organization's HSDS id.")
        parser.add_argument(
            "--role", action="append", default=[], choices=[Role.CASEWORKER], help="Let it write as a caseworker."
        )

    def handle(self, *args, name, office, organization, role, **options):
        try:
            bound_office = Office.objects.get(code=office) if office else None
            bound_org = Organization.objects.get(hsds_id=organization) if organization else None
        except (Office.DoesNotExist, Organization.DoesNotExist) as error:
            raise CommandError(str(error)) from error
        credentials = partner_register(
            acting_user=None, name=name, office=bound_office, organization=bound_org, roles=tuple(role)
        )
        self.stdout.write(f"client_id:     {credentials.client_id}")
        self.stdout.write(f"client_secret: {credentials.client_secret}")
        self.stdout.write("The secret is shown this once; only its hash is kept.")
