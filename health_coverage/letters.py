"""The letters health coverage work sends: a special authorization's decision, a request for more
information, and an out-of-province claim's decision. In English, Spanish and French."""

from correspondence.models import Correspondence
from correspondence.templates_registry import register

SA_APPROVED = "special_authorization_approved"
SA_DENIED = "special_authorization_denied"
SA_MORE_INFORMATION = "special_authorization_more_information"
CLAIM_DECIDED = "out_of_province_claim_decided"

register(
    SA_APPROVED,
    label="Special authorization approved",
    kind=Correspondence.Kind.NOTICE,
    fields=["drug", "approved_from", "approved_until", "reasons"],
    subject={
        "en": "Your special authorization for {{ drug }} is approved",
        "es": "Su autorización especial para {{ drug }} fue aprobada",
        "fr": "Votre autorisation spéciale pour {{ drug }} est approuvée",
    },
    body={
        "en": "Dear {{ client_name }},\n\nThe drug program will pay for {{ drug }} from {{ approved_from }} "
        "to {{ approved_until }}.\n\n{{ reasons }}\n\nAsk your prescriber to renew the request before "
        "{{ approved_until }} if you still need it. Questions: {{ office_name }}, {{ office_phone }}."
        "\n\n{{ agency_name }}",
        "es": "Estimado/a {{ client_name }}:\n\nEl programa de medicamentos pagará {{ drug }} desde el "
        "{{ approved_from }} hasta el {{ approved_until }}.\n\n{{ reasons }}\n\nPida a quien le receta que "
        "renueve la solicitud antes del {{ approved_until }} si todavía lo necesita. Preguntas: {{ office_name }}, "
        "{{ office_phone }}.\n\n{{ agency_name }}",
        "fr": "Bonjour {{ client_name }},\n\nLe programme de médicaments paiera {{ drug }} du {{ approved_from }} "
        "au {{ approved_until }}.\n\n{{ reasons }}\n\nDemandez à votre prescripteur de renouveler la demande "
        "avant le {{ approved_until }} si vous en avez encore besoin. Questions : {{ office_name }}, "
        "{{ office_phone }}.\n\n{{ agency_name }}",
    },
)
register(
    SA_DENIED,
    label="Special authorization denied",
    kind=Correspondence.Kind.NOTICE,
    fields=["drug", "reasons"],
    subject={
        "en": "Your special authorization for {{ drug }} is denied",
        "es": "Su autorización especial para {{ drug }} fue denegada",
        "fr": "Votre autorisation spéciale pour {{ drug }} est refusée",
    },
    body={
        "en": "Dear {{ client_name }},\n\nThe drug program will not pay for {{ drug }}, because:\n\n{{ reasons }}"
        "\n\nIf you disagree, you may ask for a review: call {{ office_name }} at {{ office_phone }} within 30 days."
        "\n\n{{ agency_name }}",
        "es": "Estimado/a {{ client_name }}:\n\nEl programa de medicamentos no pagará {{ drug }}, porque:\n\n"
        "{{ reasons }}\n\nSi no está de acuerdo, puede pedir una revisión: llame a {{ office_name }} al "
        "{{ office_phone }} dentro de 30 días.\n\n{{ agency_name }}",
        "fr": "Bonjour {{ client_name }},\n\nLe programme de médicaments ne paiera pas {{ drug }}, parce que :\n\n"
        "{{ reasons }}\n\nSi vous n'êtes pas d'accord, vous pouvez demander une révision : appelez "
        "{{ office_name }} au {{ office_phone }} dans les 30 jours.\n\n{{ agency_name }}",
    },
)
register(
    SA_MORE_INFORMATION,
    label="Special authorization: more information needed",
    kind=Correspondence.Kind.NOTICE,
    fields=["drug", "reasons"],
    subject={
        "en": "We need more information about {{ drug }}",
        "es": "Necesitamos más información sobre {{ drug }}",
        "fr": "Nous avons besoin de précisions sur {{ drug }}",
    },
    body={
        "en": "Dear {{ client_name }},\n\nTo decide the special authorization for {{ drug }} we need:\n\n"
        "{{ reasons }}\n\nYour prescriber can send it to us, or call {{ office_name }} at {{ office_phone }}."
        "\n\n{{ agency_name }}",
        "es": "Estimado/a {{ client_name }}:\n\nPara decidir la autorización especial para {{ drug }} "
        "necesitamos:\n\n{{ reasons }}\n\nQuien le receta puede enviárnoslo, o llame a {{ office_name }} al "
        "{{ office_phone }}.\n\n{{ agency_name }}",
        "fr": "Bonjour {{ client_name }},\n\nPour décider de l'autorisation spéciale pour {{ drug }}, il nous "
        "faut :\n\n{{ reasons }}\n\nVotre prescripteur peut nous l'envoyer, ou appelez {{ office_name }} au "
        "{{ office_phone }}.\n\n{{ agency_name }}",
    },
)
register(
    CLAIM_DECIDED,
    label="Out-of-province claim decided",
    kind=Correspondence.Kind.NOTICE,
    fields=["service", "amount_claimed", "amount_approved", "decision", "reasons"],
    subject={
        "en": "Your claim for {{ service }}: {{ decision }}",
        "es": "Su reclamo por {{ service }}: {{ decision }}",
        "fr": "Votre demande de remboursement pour {{ service }} : {{ decision }}",
    },
    body={
        "en": "Dear {{ client_name }},\n\nYou claimed {{ amount_claimed }} for {{ service }}. We approve "
        "{{ amount_approved }}.\n\n{{ reasons }}\n\nIf you disagree, you may ask for a review: call "
        "{{ office_name }} at {{ office_phone }} within 30 days.\n\n{{ agency_name }}",
        "es": "Estimado/a {{ client_name }}:\n\nUsted reclamó {{ amount_claimed }} por {{ service }}. Aprobamos "
        "{{ amount_approved }}.\n\n{{ reasons }}\n\nSi no está de acuerdo, puede pedir una revisión: llame a "
        "{{ office_name }} al {{ office_phone }} dentro de 30 días.\n\n{{ agency_name }}",
        "fr": "Bonjour {{ client_name }},\n\nVous avez demandé {{ amount_claimed }} pour {{ service }}. Nous "
        "approuvons {{ amount_approved }}.\n\n{{ reasons }}\n\nSi vous n'êtes pas d'accord, vous pouvez demander "
        "une révision : appelez {{ office_name }} au {{ office_phone }} dans les 30 jours.\n\n{{ agency_name }}",
    },
)
