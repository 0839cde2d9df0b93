"""The API's endpoints: thin over the apps' selectors (the access rule) and services (the checks
and the audit). A read that names clients writes one read event naming them, as a page does."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts.access import may_register_clients
from api import serializers as s
from api.idempotency import idempotent
from api.models import WebhookSubscription
from api.webhooks import webhook_subscribe, webhook_unsubscribe
from assistance import selectors as assistance_selectors
from assistance.services.issuances import IssuanceRequest, issuance_request
from audit.services import audit_page_read
from casework.selectors.appointments import appointments_visible, case_client
from casework.selectors.cases import case_get, cases_visible
from casework.selectors.tasks import tasks_visible
from casework.services.appointments import appointment_book
from casework.services.notes import note_write
from clients.models import Household
from clients.selectors import ClientSearch, client_get, client_search, clients_visible, household_current_members
from clients.services import ClientInput, client_create
from eligibility.models import Program
from eligibility.selectors import determination_get, enrollment_get
from referrals import partners
from referrals.models import Organization, Referral, Service, ServiceAtLocation
from referrals.selectors.directory import directory_search
from referrals.selectors.referrals import referral_get, referrals_visible
from referrals.services import referral_create, referral_move


def _read(request, page: str, client_ids) -> None:
    audit_page_read(actor=request.user, page=f"API: {page}", client_ids=client_ids)


class ClientViewSet(viewsets.GenericViewSet):
    """Clients the caller may see. `?name=`, `?date_of_birth=`, `?last4=`, `?phone=` search
    (best match first, at most 50); without them, every visible client, a page at a time."""

    scope_resource = "clients"
    serializer_class = s.ClientSerializer

    def get_queryset(self):
        return clients_visible(user=self.request.user)

    def list(self, request):
        criteria = ClientSearch(
            name=request.query_params.get("name", ""),
            date_of_birth=request.query_params.get("date_of_birth") or None,
            last4=request.query_params.get("last4", ""),
            phone=request.query_params.get("phone", ""),
        )
        if not criteria.is_empty:
            found = client_search(user=request.user, criteria=criteria)
            _read(request, "client search", [c.pk for c in found])
            return Response({"results": s.ClientSerializer(found, many=True).data})
        page = self.paginate_queryset(self.get_queryset())
        _read(request, "client list", [c.pk for c in page])
        return self.get_paginated_response(s.ClientSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        client = client_get(user=request.user, pk=pk)
        _read(request, "client", [client.pk])
        return Response(s.ClientSerializer(client).data)

    @extend_schema(request=s.ClientRegisterSerializer, responses={201: s.ClientSerializer})
    @idempotent
    def create(self, request):
        """Register a client in the caller's office."""
        data = s.ClientRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k in ClientInput.__dataclass_fields__}
        if not request.user.office_id:
            raise PermissionDenied("Only an account of an office registers clients.")
        if not _may_register(request.user):
            raise PermissionDenied("Only caseworkers and supervisors register clients.")
        client = client_create(acting_user=request.user, office=request.user.office, data=ClientInput(**fields))
        return Response(s.ClientSerializer(client).data, status=status.HTTP_201_CREATED)


def _may_register(user) -> bool:
    return may_register_clients(user)


class HouseholdViewSet(viewsets.GenericViewSet):
    scope_resource = "clients"
    serializer_class = s.HouseholdSerializer

    def retrieve(self, request, pk=None):
        household = get_object_or_404(Household, pk=pk)
        members = household_current_members(user=request.user, household=household)
        if not members:
            raise NotFound()
        _read(request, "household", [m.client_id for m in members])
        data = {
            "id": household.pk,
            "name": household.name,
            "office": household.office_id,
            "created_at": household.created_at,
            "members": s.MembershipSerializer(members, many=True).data,
        }
        return Response(data)


class CaseViewSet(viewsets.GenericViewSet):
    scope_resource = "clients"
    serializer_class = s.CaseSerializer

    def get_queryset(self):
        return cases_visible(user=self.request.user)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        _read(request, "case list", [c.primary_client_id for c in page])
        return self.get_paginated_response(s.CaseSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        case = case_get(user=request.user, pk=pk)
        _read(request, "case", [case.primary_client_id])
        return Response(s.CaseSerializer(case).data)

    @extend_schema(request=s.CaseNoteSerializer, responses={201: s.CaseNoteSerializer})
    @action(detail=True, methods=["post"], url_path="notes")
    @idempotent
    def notes(self, request, pk=None):
        """Write a case note (notes are append-only)."""
        case = case_get(user=request.user, pk=pk)
        data = s.CaseNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = note_write(acting_user=request.user, case=case, **data.validated_data)
        return Response(s.CaseNoteSerializer(note).data, status=status.HTTP_201_CREATED)


class TaskViewSet(viewsets.GenericViewSet):
    scope_resource = "clients"
    serializer_class = s.TaskSerializer

    def get_queryset(self):
        # The partner API serves the tasks of clients' cases.
        return tasks_visible(user=self.request.user).filter(case__isnull=False).select_related("case")

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        _read(request, "task list", [t.case.primary_client_id for t in page])
        return self.get_paginated_response(s.TaskSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        task = get_object_or_404(self.get_queryset(), pk=pk)
        _read(request, "task", [task.case.primary_client_id])
        return Response(s.TaskSerializer(task).data)


class EnrollmentViewSet(viewsets.GenericViewSet):
    scope_resource = "clients"
    serializer_class = s.EnrollmentSerializer

    def retrieve(self, request, pk=None):
        enrollment = enrollment_get(user=request.user, pk=pk)
        _read(request, "enrollment", [enrollment.case.primary_client_id])
        return Response(s.EnrollmentSerializer(enrollment).data)


class DeterminationViewSet(viewsets.GenericViewSet):
    scope_resource = "clients"
    serializer_class = s.DeterminationSerializer

    def retrieve(self, request, pk=None):
        determination = determination_get(user=request.user, pk=pk)
        _read(request, "determination", [determination.enrollment.case.primary_client_id])
        return Response(s.DeterminationSerializer(determination).data)


class IssuanceViewSet(viewsets.GenericViewSet):
    scope_resource = "issuances"
    serializer_class = s.IssuanceSerializer

    def retrieve(self, request, pk=None):
        issuance = assistance_selectors.issuance_get(user=request.user, pk=pk)
        _read(request, "issuance", [issuance.client_id])
        return Response(s.IssuanceSerializer(issuance).data)

    @extend_schema(request=s.IssuanceRequestSerializer, responses={201: s.IssuanceSerializer})
    @idempotent
    def create(self, request):
        """Ask for assistance; an `Idempotency-Key` is required, as on the assistance form."""
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            raise ValidationError({"non_field_errors": ["Send an Idempotency-Key header with each request."]})
        data = s.IssuanceRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        case = case_get(user=request.user, pk=v["case"])
        client = get_object_or_404(clients_visible(user=request.user), pk=v["client"])
        program = get_object_or_404(Program, pk=v["program"])
        issuance = issuance_request(
            acting_user=request.user,
            case=case,
            client=client,
            program=program,
            request=IssuanceRequest(
                kind=v["kind"],
                amount=v.get("amount"),
                payee_name=v["payee_name"],
                method=v["method"],
                payee_kind=v["payee_kind"],
                payee_address=v["payee_address"],
                purpose=v["purpose"],
                units=v.get("units"),
            ),
            # Keys are the caller's own: the assistance table's key is unique across the agency.
            idempotency_key=f"api-{request.user.pk}-{key}"[:100],
        )
        return Response(s.IssuanceSerializer(issuance).data, status=status.HTTP_201_CREATED)


class ReferralViewSet(viewsets.GenericViewSet):
    """Staff and office partners: referrals they may see by the access rule. The receiving
    organization's system: referrals sent to it, each shown as the client's consent allows."""

    scope_resource = "referrals"
    serializer_class = s.ReferralSerializer

    def _organization(self):
        return partners.organization_of(self.request.user)

    def get_queryset(self):
        organization = self._organization()
        if organization is not None:
            return Referral.objects.filter(organization=organization).exclude(status=Referral.Status.DRAFT)
        return referrals_visible(user=self.request.user)

    def _get(self, pk) -> Referral:
        if self._organization() is not None:
            return get_object_or_404(self.get_queryset().select_related("client", "service", "organization"), pk=pk)
        return referral_get(user=self.request.user, pk=pk)

    def _partner_data(self, referral: Referral) -> dict:
        try:
            view = partners.partner_view(referral=referral, account=self.request.user, via=partners.VIA_API)
        except partners.LinkRefused as error:
            raise PermissionDenied(str(error)) from error
        return s.PartnerReferralSerializer(view).data

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        if self._organization() is not None:
            # Identifiers and statuses only; each referral's details are read one by one, and audited.
            rows = [{"id": r.pk, "status": r.status, "service": r.service_id, "urgency": r.urgency} for r in page]
            return self.get_paginated_response(rows)
        _read(request, "referral list", [r.client_id for r in page])
        return self.get_paginated_response(s.ReferralSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        referral = self._get(pk)
        if self._organization() is not None:
            return Response(self._partner_data(referral))
        _read(request, "referral", [referral.client_id])
        return Response(s.ReferralSerializer(referral).data)

    @extend_schema(request=s.ReferralCreateSerializer, responses={201: s.ReferralSerializer})
    @idempotent
    def create(self, request):
        data = s.ReferralCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        case = case_get(user=request.user, pk=v["case"])
        client = get_object_or_404(clients_visible(user=request.user), pk=v["client"])
        service = get_object_or_404(Service, pk=v["service"])
        referral = referral_create(
            acting_user=request.user,
            case=case,
            client=client,
            service=service,
            reason=v["reason"],
            urgency=v["urgency"],
            shared=v["shared"],
        )
        return Response(s.ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ReferralUpdateSerializer, responses={200: s.ReferralSerializer})
    def partial_update(self, request, pk=None):
        referral = self._get(pk)
        data = s.ReferralUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if self._organization() is None:
            referral = referral_move(
                acting_user=request.user,
                referral=referral,
                to=v.get("status", ""),
                reason=v["reason"],
                outcome=v["outcome"],
            )
            return Response(s.ReferralSerializer(referral).data)
        account, via = request.user, partners.VIA_API
        if to := v.get("status"):
            action = partners.STATUS_ACTIONS.get(to)
            if action is None:
                raise ValidationError({"status": ["The organization accepts, declines, or reports the outcome."]})
            answer = {"reason_code": v["declined_reason"], "note": v["reason"], "outcome": v["outcome"]}
            referral = partners.referral_partner_act(
                referral=referral, account=account, action=action, data=answer, via=via
            )
        if "first_appointment_at" in v:
            referral = partners.referral_partner_act(
                referral=referral,
                account=account,
                action="appointment",
                data={"at": v["first_appointment_at"]},
                via=via,
            )
        return Response(self._partner_data(referral))


class AppointmentViewSet(viewsets.GenericViewSet):
    """Appointments on cases the caller may see (the access rule), and asking for one on a case the
    caller may work; booked, rescheduled and cancelled appointments are announced by webhook."""

    scope_resource = "clients"
    serializer_class = s.AppointmentSerializer

    def get_queryset(self):
        return appointments_visible(user=self.request.user).select_related("rescheduled_to")

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        _read(request, "appointment list", [a.client_id for a in page])
        return self.get_paginated_response(s.AppointmentSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        appointment = get_object_or_404(self.get_queryset(), pk=pk)
        _read(request, "appointment", [appointment.client_id])
        return Response(s.AppointmentSerializer(appointment).data)

    @extend_schema(request=s.AppointmentRequestSerializer, responses={201: s.AppointmentSerializer})
    @idempotent
    def create(self, request):
        """Ask for an appointment with a client of a case, with the case's worker unless another
        worker of its office is named; the worker is never double-booked."""
        data = s.AppointmentRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        case = case_get(user=request.user, pk=v["case"])
        client = case_client(case=case, client_id=v["client"])
        worker = case.assigned_worker
        if "worker" in v:
            worker = get_user_model().objects.filter(pk=v["worker"], office_id=case.office_id).first()
            if worker is None:
                raise ValidationError({"worker": ["Name a worker of the case's office."]})
        appointment = appointment_book(
            acting_user=request.user,
            case=case,
            client=client,
            worker=worker,
            kind=v["kind"],
            starts_at=v["starts_at"],
            ends_at=v["ends_at"],
            place=v["place"],
            phone=v["phone"],
            agenda=v["agenda"],
        )
        return Response(s.AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class HsdsServiceViewSet(viewsets.ReadOnlyModelViewSet):
    """The resource directory's services, in the shape of HSDS 3.0's `/services` (`?search=`)."""

    scope_resource = "directory"
    serializer_class = s.HsdsServiceSerializer
    lookup_field = "hsds_id"

    def get_queryset(self):
        services = directory_search(q=self.request.query_params.get("search", ""))
        return services.select_related("organization").prefetch_related(
            Prefetch("service_locations", queryset=ServiceAtLocation.objects.select_related("location"))
        )

    @extend_schema(request=s.ServiceIntakeSerializer, responses={200: s.HsdsServiceSerializer})
    @action(detail=True, methods=["post"], url_path="intake")
    def intake(self, request, hsds_id=None):
        """Mark the service taking people, waitlisted or full: its organization's system, or an administrator."""
        service = get_object_or_404(Service, hsds_id=hsds_id)
        data = s.ServiceIntakeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if partners.organization_of(request.user) is not None:
            partners.service_intake_set(
                service=service, intake=data.validated_data["intake"], account=request.user, via=partners.VIA_API
            )
        else:
            partners.service_intake_set(service=service, intake=data.validated_data["intake"], acting_user=request.user)
        return Response(s.HsdsServiceSerializer(self.get_queryset().get(pk=service.pk)).data)


class HsdsOrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """HSDS 3.0's `/organizations`."""

    scope_resource = "directory"
    serializer_class = s.HsdsOrganizationSerializer
    lookup_field = "hsds_id"
    queryset = Organization.objects.all()


class WebhookViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """A partner system's subscriptions to referral and appointment events (its OAuth2 application's)."""

    scope_resource = "webhooks"
    serializer_class = s.WebhookSerializer

    def _application(self):
        application = getattr(self.request.auth, "application", None)
        if application is None:
            raise PermissionDenied("Webhooks belong to a partner system: sign in with its token.")
        return application

    def get_queryset(self):
        return WebhookSubscription.objects.filter(application=self._application(), active=True)

    def destroy(self, request, pk=None):
        """Stop a subscription: it is deactivated (and audited), its deliveries stop."""
        subscription = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            webhook_unsubscribe(application=self._application(), subscription=subscription)
        except WebhookSubscription.DoesNotExist as error:
            raise NotFound() from error
        return Response(status=status.HTTP_204_NO_CONTENT)

    @idempotent
    def create(self, request):
        data = s.WebhookSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = webhook_subscribe(application=self._application(), **data.validated_data)
        return Response(s.WebhookSerializer(subscription).data, status=status.HTTP_201_CREATED)
