"""Permissions by role, registered with django-rules so views and templates ask one way.

Which *client* a user may see is decided in `accounts.access.client_scope`.
"""

import rules

from accounts import access

rules.add_perm("clients.register_client", rules.predicate(access.may_register_clients))
rules.add_perm("clients.edit_client", rules.predicate(access.may_edit_clients))
rules.add_perm("clients.reveal_identifier", rules.predicate(access.may_reveal_identifier))
rules.add_perm("clients.merge_clients", rules.predicate(access.may_merge_clients))
rules.add_perm("clients.break_glass", rules.predicate(access.may_break_glass))
rules.add_perm("clients.verify_document", rules.predicate(access.may_verify_documents))
rules.add_perm("audit.read_trail", rules.predicate(access.may_read_audit_trail))
rules.add_perm("casework.work_cases", rules.predicate(access.may_work_cases))
rules.add_perm("casework.supervise", rules.predicate(access.may_supervise))
rules.add_perm("correspondence.print_mail", rules.predicate(access.may_print_mail))
rules.add_perm("casework.read_inquiry_statistics", rules.predicate(access.may_read_inquiry_statistics))
rules.add_perm("assistance.see_payment_runs", rules.predicate(access.may_see_payment_runs))
rules.add_perm("assistance.download_payment_file", rules.predicate(access.may_download_payment_files))
rules.add_perm("assistance.read_agency_payments", rules.predicate(access.may_read_agency_payments))
