"""The letters casework sends a client about appointments, in English, Spanish and French.

Registered with correspondence at start-up (`CaseworkConfig.ready`); an admin's template of the
same code and language replaces the wording here.
"""

from correspondence.models import Correspondence
from correspondence.templates_registry import register

FIELDS = ["appointment_kind", "appointment_at", "appointment_place", "appointment_worker"]


def letters_register() -> None:
    register(
        "appointment_reminder",
        label="Appointment reminder",
        kind=Correspondence.Kind.REMINDER,
        fields=FIELDS,
        subject={
            "en": "Reminder: your appointment on {{ appointment_at }}",
            "es": "Recordatorio: su cita el {{ appointment_at }}",
            "fr": "Rappel : votre rendez-vous le {{ appointment_at }}",
        },
        body={
            "en": "Dear {{ client_name }},\n\nThis is a reminder of your {{ appointment_kind }} with "
            "{{ appointment_worker }} on {{ appointment_at }} ({{ appointment_place }}).\n\n"
            "If you cannot come, please call {{ office_name }} at {{ office_phone }} to choose another time.\n\n"
            "{{ agency_name }}",
            "es": "Estimado/a {{ client_name }}:\n\nLe recordamos su cita con {{ appointment_worker }} el "
            "{{ appointment_at }} ({{ appointment_place }}).\n\n"
            "Si no puede venir, llame a {{ office_name }} al {{ office_phone }} para elegir otra hora.\n\n"
            "{{ agency_name }}",
            "fr": "Madame, Monsieur {{ client_name }},\n\nNous vous rappelons votre rendez-vous avec "
            "{{ appointment_worker }} le {{ appointment_at }} ({{ appointment_place }}).\n\n"
            "Si vous ne pouvez pas venir, appelez {{ office_name }} au {{ office_phone }} pour choisir une autre "
            "heure.\n\n{{ agency_name }}",
        },
    )
    # SNAP: a household that misses its interview is sent a notice of missed interview telling it
    # that it is responsible for rescheduling (7 CFR 273.2(g)(3)).
    register(
        "missed_interview_notice",
        label="Notice of missed interview",
        kind=Correspondence.Kind.NOTICE,
        fields=FIELDS,
        subject={
            "en": "Notice of missed interview",
            "es": "Aviso de entrevista perdida",
            "fr": "Avis d'entretien manqué",
        },
        body={
            "en": "Dear {{ client_name }},\n\nYou missed your {{ appointment_kind }} on {{ appointment_at }} "
            "(case {{ case_number }}). It is your responsibility to reschedule it: please call "
            "{{ office_name }} at {{ office_phone }}. If the interview does not take place, your application "
            "or renewal may be denied.\n\n{{ agency_name }}",
            "es": "Estimado/a {{ client_name }}:\n\nUsted no asistió a su entrevista del {{ appointment_at }} "
            "(caso {{ case_number }}). Le corresponde a usted fijar una nueva cita: llame a {{ office_name }} "
            "al {{ office_phone }}. Si la entrevista no se realiza, su solicitud o renovación puede ser "
            "denegada.\n\n{{ agency_name }}",
            "fr": "Madame, Monsieur {{ client_name }},\n\nVous avez manqué votre entretien du {{ appointment_at }} "
            "(dossier {{ case_number }}). Il vous appartient de fixer un nouveau rendez-vous : appelez "
            "{{ office_name }} au {{ office_phone }}. Si l'entretien n'a pas lieu, votre demande ou votre "
            "renouvellement peut être refusé.\n\n{{ agency_name }}",
        },
    )
