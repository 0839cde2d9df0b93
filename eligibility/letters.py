"""The notice of adverse action this app sends (registered with correspondence at start-up).

What it says follows 7 CFR 273.13(a)(2): the proposed action, its reasons, the date it takes
effect, the right to a fair hearing and how to ask for one, and that benefits continue if a
hearing is asked for within the notice period.
"""

from correspondence.models import Correspondence
from correspondence.templates_registry import register

ADVERSE_ACTION = "adverse_action_notice"

FIELDS = [
    "program", "action", "effective_on", "amount_before", "amount_after", "reasons", "hearing_by",
    "continue_by", "appeal_how",
]  # fmt: skip

register(
    ADVERSE_ACTION,
    label="Notice of adverse action",
    kind=Correspondence.Kind.NOTICE,
    fields=FIELDS,
    subject={
        "en": "Notice of action on your {{ program }} benefits",
        "es": "Aviso de acción sobre sus beneficios de {{ program }}",
        "fr": "Avis de décision sur vos prestations {{ program }}",
    },
    body={
        "en": (
            "Dear {{ client_name }},\n\n"
            "We are writing about case {{ case_number }}. Action: {{ action }}.\n"
            "It takes effect on {{ effective_on }}. Your monthly benefit was {{ amount_before }}; "
            "it will be {{ amount_after }}.\n\n"
            "Why, with the rule and the figures we used:\n{{ reasons }}\n\n"
            "You have the right to a fair hearing. Ask by {{ hearing_by }}: {{ appeal_how }}\n"
            "If you ask by {{ continue_by }}, you will keep receiving {{ amount_before }} until the "
            "hearing decides. If the hearing agrees with us, you may have to pay back what you received "
            "meanwhile.\n\n"
            "Questions: {{ office_name }}, {{ office_phone }}.\n{{ agency_name }}"
        ),
        "es": (
            "Estimado/a {{ client_name }}:\n\n"
            "Le escribimos sobre el caso {{ case_number }}. Acción: {{ action }}.\n"
            "Entra en vigor el {{ effective_on }}. Su beneficio mensual era {{ amount_before }}; "
            "será {{ amount_after }}.\n\n"
            "Por qué, con la regla y las cifras que usamos:\n{{ reasons }}\n\n"
            "Tiene derecho a una audiencia imparcial. Pídala antes del {{ hearing_by }}: {{ appeal_how }}\n"
            "Si la pide antes del {{ continue_by }}, seguirá recibiendo {{ amount_before }} hasta que "
            "la audiencia decida. Si la audiencia nos da la razón, puede que tenga que devolver lo "
            "recibido mientras tanto.\n\n"
            "Preguntas: {{ office_name }}, {{ office_phone }}.\n{{ agency_name }}"
        ),
        "fr": (
            "Madame, Monsieur {{ client_name }},\n\n"
            "Nous vous écrivons au sujet du dossier {{ case_number }}. Décision : {{ action }}.\n"
            "Elle prend effet le {{ effective_on }}. Votre prestation mensuelle était de {{ amount_before }} ; "
            "elle sera de {{ amount_after }}.\n\n"
            "Pourquoi, avec la règle et les chiffres utilisés :\n{{ reasons }}\n\n"
            "Vous avez droit à une audience équitable. Demandez-la avant le {{ hearing_by }} : {{ appeal_how }}\n"
            "Si vous la demandez avant le {{ continue_by }}, vous continuerez à recevoir {{ amount_before }} "
            "jusqu'à la décision. Si l'audience nous donne raison, vous pourriez devoir rembourser ce que "
            "vous aurez reçu entre-temps.\n\n"
            "Questions : {{ office_name }}, {{ office_phone }}.\n{{ agency_name }}"
        ),
    },
)

ACTION_WORDS = {
    "en": {"denial": "your application is denied", "reduction": "your benefit is reduced",
           "suspension": "your benefit is suspended", "termination": "your benefit ends"},
    "es": {"denial": "su solicitud se deniega", "reduction": "su beneficio se reduce",
           "suspension": "su beneficio se suspende", "termination": "su beneficio termina"},
    "fr": {"denial": "votre demande est refusée", "reduction": "votre prestation est réduite",
           "suspension": "votre prestation est suspendue", "termination": "votre prestation prend fin"},
}  # fmt: skip

APPEAL_HOW = {
    "en": "write to us, call us, or come to the office and say you want a hearing.",
    "es": "escríbanos, llámenos o venga a la oficina y diga que quiere una audiencia.",
    "fr": "écrivez-nous, appelez-nous ou venez au bureau et dites que vous voulez une audience.",
}
