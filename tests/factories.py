"""factory_boy factories for the records most tests need. Services, not factories,
make the records whose creation carries rules (see each test module)."""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from accounts.models import Office, Team, User
from clients.models import Client, Consent, Household, HouseholdMembership, Income, PersonFact
from clients.normalize import digits_only, search_key


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"office{n}")
    name = factory.LazyAttribute(lambda o: f"{o.code.title()} Office")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    office = factory.SubFactory(OfficeFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    office = factory.SubFactory(OfficeFactory)
    first_name = factory.Faker("first_name")
    middle_name = ""
    last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=1, maximum_age=90)
    phone = factory.Faker("numerify", text="555-###-####")
    address_line1 = factory.Faker("street_address")
    city = "Riverton"
    search_name = factory.LazyAttribute(lambda c: search_key(c.first_name, c.middle_name, c.last_name))
    phone_digits = factory.LazyAttribute(lambda c: digits_only(c.phone))


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    office = factory.SubFactory(OfficeFactory)
    name = factory.Sequence(lambda n: f"Household {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdMembership

    household = factory.SubFactory(HouseholdFactory)
    client = factory.SubFactory(ClientFactory)
    relationship = "head"
    start_date = date(2025, 1, 1)


class IncomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Income

    client = factory.SubFactory(ClientFactory)
    kind = "earned"
    amount = Decimal("1200.00")
    frequency = "monthly"
    start_date = date(2025, 1, 1)


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    client = factory.SubFactory(ClientFactory)
    organization = "Riverton Food Bank"
    purpose = "referral"
    granted_on = date(2025, 6, 1)
    recorded_by = factory.SubFactory(UserFactory)


class PersonFactFactory(factory.django.DjangoModelFactory):
    """A current disability of a client, shown by SSI; other kinds by passing their particulars."""

    class Meta:
        model = PersonFact

    client = factory.SubFactory(ClientFactory)
    kind = PersonFact.Kind.DISABILITY
    basis = PersonFact.Basis.SSI
    start_date = date(2024, 1, 1)
    recorded_by = factory.SubFactory(UserFactory)


def case_for(client: Client, worker: User, *, restricted: bool = False, status: str = "open"):
    """A case for `client`'s household (made if they have none), opened by the real service.

    The worker must be a caseworker or supervisor with an office; `status` "open" moves it
    on from intake as a worker would.
    """
    from casework.models import Case
    from casework.services.cases import case_open, case_transition

    membership = client.memberships.filter(end_date__isnull=True).select_related("household").first()
    if membership is None:
        membership = MembershipFactory(
            client=client, household=HouseholdFactory(office=client.office), relationship="head"
        )
    case = case_open(acting_user=worker, household=membership.household, primary_client=client, restricted=restricted)
    if status != Case.Status.INTAKE:
        case = case_transition(acting_user=worker, case=case, to=Case.Status.OPEN)
    if status not in (Case.Status.INTAKE, Case.Status.OPEN):
        case = case_transition(
            acting_user=worker, case=case, to=status, reason="Set up for a test", closure_reason="other"
        )
    return case
