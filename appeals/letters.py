"""The notice of a fair hearing (registered with correspondence at start-up).

Every party is told at least 10 days before the hearing (7 CFR 273.15(l)(1)): when, where,
who will hear it, and that the client may bring someone and see their file beforehand.
"""

from correspondence.models import Correspondence
from correspondence.templates_registry import register

HEARING_NOTICE = "hearing_notice"

register(
    HEARING_NOTICE,
    label="Notice of fair hearing",
    kind=Correspondence.Kind.NOTICE,
    fields=["hearing_at", "place", "officer_name", "program"],
    subject={
        "en": "Your fair hearing on {{ hearing_at }}",
        "es": "Su audiencia imparcial el {{ hearing_at }}",
        "fr": "Votre audience équitable le {{ hearing_at }}",
    },
    body={
        "en": (
            "Dear {{ client_name }},\n\n"
            "Your fair hearing about your {{ program }} case {{ case_number }} is on {{ hearing_at }} at "
            "{{ place }}. {{ officer_name }}, who took no part in the decision, will hear it.\n"
            "You may bring someone to help you, and you may see your case file before the hearing. "
            "If you cannot come, call {{ office_phone }}.\n\n{{ agency_name }}"
        ),
        "es": (
            "Estimado/a {{ client_name }}:\n\n"
            "Su audiencia imparcial sobre su caso {{ case_number }} de {{ program }} es el {{ hearing_at }} en "
            "{{ place }}. La dirigirá {{ officer_name }}, que no participó en la decisión.\n"
            "Puede venir acompañado/a y puede ver su expediente antes de la audiencia. "
            "Si no puede venir, llame al {{ office_phone }}.\n\n{{ agency_name }}"
        ),
        "fr": (
            "Madame, Monsieur {{ client_name }},\n\n"
            "Votre audience équitable sur votre dossier {{ case_number }} ({{ program }}) a lieu le "
            "{{ hearing_at }} à {{ place }}. {{ officer_name }}, qui n'a pas pris part à la décision, la présidera.\n"
            "Vous pouvez venir accompagné(e) et consulter votre dossier avant l'audience. "
            "Si vous ne pouvez pas venir, appelez le {{ office_phone }}.\n\n{{ agency_name }}"
        ),
    },
)
