"""Permissions by role, registered with django-rules so views and templates ask one way.

Which *client* a user may see is decided in `accounts.access.client_scope`.
"""

import rules

from accounts import access


def _of_user(check):
    """A predicate of the user alone. Its one-argument signature, which django-rules reads to
    decide what to pass, is declared here rather than read off `check`, which may be wrapped."""

    def predicate(user):
        return check(user)

    return rules.predicate(predicate, name=check.__name__)


rules.add_perm("clients.register_client", _of_user(access.may_register_clients))
rules.add_perm("clients.edit_client", _of_user(access.may_edit_clients))
rules.add_perm("clients.reveal_identifier", _of_user(access.may_reveal_identifier))
rules.add_perm("clients.merge_clients", _of_user(access.may_merge_clients))
rules.add_perm("clients.break_glass", _of_user(access.may_break_glass))
rules.add_perm("clients.verify_document", _of_user(access.may_verify_documents))
rules.add_perm("audit.read_trail", _of_user(access.may_read_audit_trail))
rules.add_perm("casework.work_cases", _of_user(access.may_work_cases))
rules.add_perm("casework.supervise", _of_user(access.may_supervise))
rules.add_perm("correspondence.print_mail", _of_user(access.may_print_mail))
rules.add_perm("casework.read_inquiry_statistics", _of_user(access.may_read_inquiry_statistics))
rules.add_perm("assistance.see_payment_runs", _of_user(access.may_see_payment_runs))
rules.add_perm("assistance.download_payment_file", _of_user(access.may_download_payment_files))
rules.add_perm("assistance.read_agency_payments", _of_user(access.may_read_agency_payments))
rules.add_perm("reports.read_dashboards", _of_user(access.may_read_dashboards))
rules.add_perm("quality.review", _of_user(access.may_review_quality))
rules.add_perm("reports.manage_office", _of_user(access.may_manage_office))
