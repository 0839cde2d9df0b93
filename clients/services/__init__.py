"""Every change to the client registry: one transaction, one audit event, each.

By subject: the registry (a person, their identifier, office moves, break glass, recorded
reads), households, finances, documents, consent, and merging duplicates; `hooks` holds what
apps above the registry hand in. The public names are all here, so callers import from
`clients.services`.
"""

from clients.services.consent import consent_record, consent_revoke
from clients.services.documents import document_download_record, document_upload, document_verify, upload_check
from clients.services.finances import FINANCE_FIELDS, finance_record_save
from clients.services.hooks import change_hooks_register, merge_hooks_register, merge_move
from clients.services.households import MemberError, MemberInput, household_member_end, household_register
from clients.services.merge import MOVABLE_RELATIONS, client_merge
from clients.services.registry import (
    CLIENT_FIELDS,
    EDITABLE_CLIENT_FIELDS,
    SECRET_FIELDS,
    ClientInput,
    break_glass_open,
    client_create,
    client_identifier_reveal,
    client_search_record,
    client_update,
    client_view_record,
    clients_office_move,
)

__all__ = [
    "CLIENT_FIELDS",
    "EDITABLE_CLIENT_FIELDS",
    "FINANCE_FIELDS",
    "MOVABLE_RELATIONS",
    "SECRET_FIELDS",
    "ClientInput",
    "MemberError",
    "MemberInput",
    "break_glass_open",
    "change_hooks_register",
    "client_create",
    "client_identifier_reveal",
    "client_merge",
    "client_search_record",
    "client_update",
    "client_view_record",
    "clients_office_move",
    "consent_record",
    "consent_revoke",
    "document_download_record",
    "document_upload",
    "document_verify",
    "finance_record_save",
    "household_member_end",
    "household_register",
    "merge_hooks_register",
    "merge_move",
    "upload_check",
]
