"""What the API shows and accepts. Reads show what the pages show (identifiers masked); the
directory follows Open Referral HSDS 3.0's field names (organization, service, location,
service_capacity), as referrals.hsds writes them in its datapackage."""

from rest_framework import serializers

from assistance.models import Issuance
from casework.models import Appointment, Case, CaseNote, Task
from clients.models import Client, Household, HouseholdMembership
from eligibility.models import Determination, Enrollment
from referrals.models import Location, Organization, Referral, Service, SharedInfo


class ClientSerializer(serializers.ModelSerializer):
    identifier_last4 = serializers.CharField(read_only=True)

    class Meta:
        model = Client
        fields = [
            "id", "first_name", "middle_name", "last_name", "preferred_name", "date_of_birth", "sex", "gender",
            "language", "interpreter_needed", "phone", "email", "address_line1", "address_line2", "city", "region",
            "postal_code", "address_confidential", "identifier_kind", "identifier_last4", "restricted", "office",
            "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "office", "created_at"]


class ClientRegisterSerializer(ClientSerializer):
    identifier = serializers.CharField(required=False, allow_blank=True, write_only=True)

    class Meta(ClientSerializer.Meta):
        fields = [*ClientSerializer.Meta.fields, "identifier"]


class MembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = HouseholdMembership
        fields = ["client", "relationship", "start_date", "end_date"]


class HouseholdSerializer(serializers.ModelSerializer):
    members = MembershipSerializer(source="current_members", many=True, read_only=True)

    class Meta:
        model = Household
        fields = ["id", "name", "office", "created_at", "members"]


class CaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = [
            "id", "number", "household", "primary_client", "office", "assigned_worker", "status", "restricted",
            "opened_on", "closed_on", "last_contact_at",
        ]  # fmt: skip


class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "case", "assignee", "kind", "title", "details", "due_on", "status", "completed_at"]


class AppointmentSerializer(serializers.ModelSerializer):
    rescheduled_to = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Appointment
        fields = [
            "id", "case", "client", "worker", "kind", "starts_at", "ends_at", "place", "phone", "required", "status",
            "rescheduled_to", "created_at",
        ]  # fmt: skip


class AppointmentRequestSerializer(serializers.Serializer):
    """An appointment asked for on a case the caller may work: with the case's worker unless another
    worker of its office is named."""

    case = serializers.IntegerField()
    client = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Appointment.Kind.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    worker = serializers.IntegerField(required=False)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    agenda = serializers.CharField(required=False, allow_blank=True, default="")


class CaseNoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseNote
        fields = [
            "id",
            "case",
            "kind",
            "contact_at",
            "present",
            "subject",
            "body",
            "confidential",
            "author",
            "created_at",
        ]
        read_only_fields = ["id", "case", "author", "created_at"]


class EnrollmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enrollment
        fields = [
            "id", "case", "program", "status", "application_date", "certification_start", "certification_end",
            "next_review_on", "monthly_amount",
        ]  # fmt: skip


class DeterminationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Determination
        fields = [
            "id", "enrollment", "as_of", "outcome", "eligible", "monthly_amount", "status", "reasons", "run_at",
            "finalised_at", "effective_on",
        ]  # fmt: skip


class IssuanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Issuance
        fields = [
            "id", "reference", "case", "client", "program", "kind", "status", "amount", "units", "purpose",
            "payee_kind", "payee_name", "method", "requested_at", "issued_at",
        ]  # fmt: skip


class IssuanceRequestSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    client = serializers.IntegerField()
    program = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Issuance.Kind.choices)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    payee_name = serializers.CharField(max_length=200)
    method = serializers.ChoiceField(choices=Issuance.Method.choices)
    payee_kind = serializers.ChoiceField(choices=Issuance.PayeeKind.choices, default=Issuance.PayeeKind.CLIENT)
    payee_address = serializers.CharField(required=False, allow_blank=True, default="")
    purpose = serializers.CharField(required=False, allow_blank=True, default="")
    units = serializers.IntegerField(required=False, allow_null=True)


class ReferralSerializer(serializers.ModelSerializer):
    class Meta:
        model = Referral
        fields = [
            "id", "case", "client", "service", "organization", "location", "reason", "urgency", "shared", "status",
            "outcome", "declined_reason", "first_appointment_at", "created_at", "sent_at", "partner_responded_at",
            "closed_at",
        ]  # fmt: skip


class ReferralCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    client = serializers.IntegerField()
    service = serializers.IntegerField()
    reason = serializers.CharField()
    urgency = serializers.ChoiceField(choices=Referral.Urgency.choices, default=Referral.Urgency.ROUTINE)
    shared = serializers.ListField(child=serializers.ChoiceField(choices=SharedInfo.choices), default=list)


class ReferralUpdateSerializer(serializers.Serializer):
    """A move. Staff: any allowed status with its reason/outcome. The receiving organization:
    accepted, declined (with `declined_reason`), completed (served) or not_completed (with `outcome`),
    and `first_appointment_at`."""

    status = serializers.ChoiceField(choices=Referral.Status.choices, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    outcome = serializers.ChoiceField(choices=Referral.Outcome.choices, required=False, allow_blank=True, default="")
    declined_reason = serializers.ChoiceField(
        choices=Referral.Declined.choices, required=False, allow_blank=True, default=""
    )
    first_appointment_at = serializers.DateTimeField(required=False)


class PartnerReferralSerializer(serializers.Serializer):
    """A referral as the receiving organization sees it: the client only as the consent allows."""

    id = serializers.IntegerField(source="referral.id")
    service = serializers.IntegerField(source="referral.service_id")
    status = serializers.CharField(source="referral.status")
    reason = serializers.CharField(source="referral.reason")
    urgency = serializers.CharField(source="referral.urgency")
    client_name = serializers.CharField()
    client_details = serializers.DictField(source="details", child=serializers.CharField())
    first_appointment_at = serializers.DateTimeField(source="referral.first_appointment_at")


# The resource directory, in HSDS 3.0's shape ---------------------------------------------------


class HsdsOrganizationSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="hsds_id")

    class Meta:
        model = Organization
        fields = ["id", "name", "alternate_name", "description", "email", "website", "phone"]


class HsdsLocationSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="hsds_id")
    addresses = serializers.SerializerMethodField()

    class Meta:
        model = Location
        fields = ["id", "name", "description", "latitude", "longitude", "addresses"]

    def get_addresses(self, location: Location) -> list[dict]:
        return [
            {
                "id": location.address_hsds_id or location.hsds_id,
                "address_1": location.address_1,
                "address_2": location.address_2,
                "city": location.city,
                "state_province": location.state_province,
                "postal_code": location.postal_code,
                "country": location.country,
                "address_type": "physical",
            }
        ]


class HsdsServiceSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="hsds_id")
    organization = HsdsOrganizationSerializer(read_only=True)
    service_at_locations = serializers.SerializerMethodField()
    capacities = serializers.SerializerMethodField()
    intake = serializers.CharField(read_only=True)

    class Meta:
        model = Service
        fields = [
            "id", "name", "alternate_name", "description", "url", "email", "status", "application_process",
            "eligibility_description", "minimum_age", "maximum_age", "fees_description", "assured_date",
            "organization", "service_at_locations", "capacities", "intake",
        ]  # fmt: skip
        extra_kwargs = {"assured_date": {"source": "last_verified_on"}}

    def get_service_at_locations(self, service: Service) -> list[dict]:
        return [
            {"id": sal.hsds_id, "location": HsdsLocationSerializer(sal.location).data}
            for sal in service.service_locations.all()
        ]

    def get_capacities(self, service: Service) -> list[dict]:
        if service.capacity_available is None:
            return []
        return [
            {
                "id": service.capacity_hsds_id or service.hsds_id,
                "available": service.capacity_available,
                "maximum": service.capacity_maximum,
                "unit": {"name": service.capacity_unit},
                "updated": service.capacity_updated_at,
            }
        ]


class ServiceIntakeSerializer(serializers.Serializer):
    intake = serializers.ChoiceField(choices=Service.Intake.choices)


class WebhookSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(child=serializers.CharField(max_length=60), default=list)
    secret = serializers.CharField(read_only=True)
