"""The letters this app owns: a worker's own letter and memo, and the discreet message sent
where details may not be left."""

from django.utils.translation import gettext_lazy as _

from correspondence.models import Correspondence
from correspondence.templates_registry import register

FREE_LETTER = "free_letter"
MEMO = "memo"
DISCREET = "discreet_message"

register(
    FREE_LETTER,
    label=_("Letter"),
    kind=Correspondence.Kind.LETTER,
    worker_may_draft=True,
    subject=_("A letter from {{ agency_name }}"),
    body=_(
        "Dear {{ client_name }},\n\n\n\n"
        "If you have questions, call {{ office_name }} at {{ office_phone }}.\n\n"
        "Sincerely,\n{{ worker_name }}\n{{ agency_name }}"
    ),
)
register(
    MEMO,
    label=_("Memo"),
    kind=Correspondence.Kind.MEMO,
    worker_may_draft=True,
    subject=_("Memo about case {{ case_number }}"),
    body=_("To: {{ client_name }}\nFrom: {{ worker_name }}, {{ office_name }}\nDate: {{ today }}\n\n"),
)
register(
    DISCREET,
    label=_("Discreet message"),
    kind=Correspondence.Kind.TEXT,
    subject=_("A message for you"),
    body=_("You have a message. Please call {{ office_phone }}."),
)

DOCUMENTS_REQUESTED = "documents_requested"

# The notice of the verification still needed and its due date, which 7 CFR 273.2(c)(5) requires
# the agency to give a household in writing.
register(
    DOCUMENTS_REQUESTED,
    label=_("Request for documents"),
    kind=Correspondence.Kind.NOTICE,
    fields=["documents", "due_date"],
    worker_may_draft=True,
    subject=_("We need documents from you by {{ due_date }}"),
    body=_(
        "Dear {{ client_name }},\n\n"
        "To decide on your case {{ case_number }} we need the following from you by {{ due_date }}:\n\n"
        "{{ documents }}\n\n"
        "You can bring them to {{ office_name }} or send copies. If you cannot get them, call us at "
        "{{ office_phone }} and we will help.\n\n"
        "{{ agency_name }}"
    ),
)
