"""The overpayment demand letter (registered with correspondence at start-up).

What it says follows 7 CFR 273.18(e)(3)(iv): the amount owed, the reason for the claim and the
months it covers, how it will be recovered if the household does nothing (a reduction of the
monthly benefit), the ways to repay, and the right to a fair hearing.
"""

from correspondence.models import Correspondence
from correspondence.templates_registry import register

OVERPAYMENT_DEMAND = "overpayment_demand"

register(
    OVERPAYMENT_DEMAND,
    label="Overpayment demand letter",
    kind=Correspondence.Kind.NOTICE,
    fields=["program", "amount", "months", "why", "hearing_by"],
    subject={
        "en": "You owe {{ amount }} of {{ program }} benefits",
        "es": "Usted debe {{ amount }} de beneficios de {{ program }}",
        "fr": "Vous devez {{ amount }} de prestations {{ program }}",
    },
    body={
        "en": (
            "Dear {{ client_name }},\n\n"
            "We paid you {{ amount }} of {{ program }} benefits that were not due ({{ months }}).\n"
            "Why: {{ why }}.\n\n"
            "You may pay it all at once, or agree a repayment plan with us. If you do neither, we will "
            "take it from your monthly benefit as the rules allow.\n\n"
            "You have the right to a fair hearing about this claim. Ask by {{ hearing_by }}: write, call "
            "{{ office_phone }} or come to {{ office_name }}.\n\n{{ agency_name }}"
        ),
        "es": (
            "Estimado/a {{ client_name }}:\n\n"
            "Le pagamos {{ amount }} de beneficios de {{ program }} que no le correspondían ({{ months }}).\n"
            "Motivo: {{ why }}.\n\n"
            "Puede pagarlo de una vez o acordar un plan de pagos. Si no hace ninguna de las dos cosas, lo "
            "descontaremos de su beneficio mensual según lo permitan las reglas.\n\n"
            "Tiene derecho a una audiencia imparcial sobre este reclamo. Pídala antes del {{ hearing_by }}: "
            "escriba, llame al {{ office_phone }} o venga a {{ office_name }}.\n\n{{ agency_name }}"
        ),
        "fr": (
            "Madame, Monsieur {{ client_name }},\n\n"
            "Nous vous avons versé {{ amount }} de prestations {{ program }} qui n'étaient pas dues ({{ months }}).\n"
            "Motif : {{ why }}.\n\n"
            "Vous pouvez rembourser en une fois ou convenir d'un plan de remboursement. Sinon, nous le "
            "retiendrons sur votre prestation mensuelle dans la limite des règles.\n\n"
            "Vous avez droit à une audience équitable sur cette créance. Demandez-la avant le {{ hearing_by }} : "
            "écrivez, appelez le {{ office_phone }} ou venez à {{ office_name }}.\n\n{{ agency_name }}"
        ),
    },
)
