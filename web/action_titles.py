"""What each audited action is called on a page: one plain title per action name in the audit log.

Used by the ``action_title`` template filter (web/filters.py) on the audit log and the activity
pages. An action without an entry reads as its name in words ("deadline_chased" -> "Deadline chased").
"""

from __future__ import annotations

from models.accounts import ROLES
from models.services import SERVICES

# The audited actions' names are not secrets; bandit's B105 only sees the word "password".
ACTION_TITLES = {
    "sign_in": "Signed in",
    "sign_out": "Signed out",
    "sign_in_failed": "Sign-in failed",
    "signin_throttled": "Sign-ins from one network slowed down",
    "account_locked": "Account locked after failed sign-ins",
    "account_unlocked": "Account unlocked",
    "password_changed": "Password changed",  # nosec B105 # action titles, not passwords (and below)
    "password_reset": "Password reset by email link",  # nosec B105
    "password_reset_requested": "Password reset link asked for",  # nosec B105
    "password_reset_throttled": "Password reset requests slowed down",  # nosec B105
    "totp_enrolled": "Two-step verification set up",
    "totp_reset": "Two-step verification reset",
    "recovery_code_used": "Recovery code used",
    "recovery_codes_regenerated": "New recovery codes made",
    "user_created": "Account created",
    "user_invited": "Invited",
    "invitation_resent": "Invitation sent again",
    "invitation_revoked": "Invitation revoked",
    "invitation_expired": "Invitation expired",
    "invitation_accepted": "Invitation accepted, account set up",
    "user_suspended": "Account suspended",
    "user_reactivated": "Account reactivated",
    "user_removed": "Account removed",
    "services_changed": "Services changed",
    "role_changed": "Role changed",
    "approver_handed_over": "Approver role handed over",
    "caps_changed": "Limits on approvers and end users changed",
    "users_exported": "Users list downloaded",
    "account_requested": "Account asked for",
    "account_request_approved": "Account request approved",
    "account_request_rejected": "Account request rejected",
    "account_request_reminded": "Approvers reminded about an account request",
    "account_request_escalated": "Account request overdue: sent to the LA",
    "account_request_closed": "Account request closed undecided",
    "claim_code_issued": "Approver claim code issued",
    "claim_code_revoked": "Approver claim code revoked",
    "approver_claimed": "Approver role claimed with a code",
    "review_prompt_sent": "Termly review prompt sent",
    "audit_exported": "Audit log downloaded",
    "audit_chain_keyed": "Audit log chain keyed from here on",
    "gias_import": "Schools imported from GIAS",
    "deadline_catalogue_added": "Return added to the catalogue",
    "deadline_catalogue_changed": "Return in the catalogue changed",
    "deadline_instance_added": "Deadline added",
    "deadline_instance_moved": "Deadline moved",
    "deadline_instance_cancelled": "Deadline cancelled",
    "deadline_instance_restored": "Deadline restored",
    "deadline_status_recorded": "Return status recorded",
    "deadline_chased": "School reminded about a return",
    "deadline_tracker_exported": "Returns tracker downloaded",
    "term_dates_changed": "Term dates changed",
    "term_dates_reset": "Term dates reset to the defaults",
    "pride_incident_drafted": "PRIDE incident saved as a draft",
    "pride_incident_reported": "PRIDE incident reported",
    "pride_incident_changed": "PRIDE incident changed",
    "pride_draft_deleted": "PRIDE draft deleted",
    "pride_return_made": "PRIDE return made (incidents confirmed or NIL)",
    "pride_return_reopened": "PRIDE return reopened by a late incident",
    "pride_not_required_set": "PRIDE return marked not required",
    "pride_not_required_cleared": "PRIDE return required again",
    "pride_characteristic_added": "PRIDE characteristic added",
    "pride_characteristic_changed": "PRIDE characteristic offered or retired",
    "pride_school_report_viewed": "One school's PRIDE figures viewed in full",
    "pride_history_imported": "Past PRIDE counts imported",
    "return_version_created": "Return file uploaded and checked",
    "return_upload_refused": "Return file refused",
    "return_findings_downloaded": "Return findings downloaded",
    "return_note_saved": "Query explained",
    "return_submitted": "Return submitted",
    "return_authorised": "Return authorised",
    "return_returned": "Return sent back to the school",
    "returns_exported": "Returns downloaded",
    "return_original_downloaded": "Original return file downloaded",
    "duplicates_detected": "Duplicate pupils worked out again after an upload",
    "duplicate_case_note": "Note added to a duplicate pupil case",
    "duplicate_case_contacted": "Schools messaged about a duplicate pupil",
    "duplicate_case_resolved": "Duplicate pupil case resolved",
    "duplicate_case_not_duplicate": "Duplicate pupil case closed as not a duplicate",
    "duplicate_case_reopened": "Duplicate pupil case reopened",
    "duplicate_cases_downloaded": "Duplicate pupil cases downloaded",
    "census_database_closure_set": "Census database closure date set",
    "backup_restored": "Restored from a backup",
    "upns_issued": "New UPNs issued",
    "return_uln_readiness_downloaded": "ULN readiness list downloaded",
    "submission_digests_on": "Emails about submitted returns turned on",
    "submission_digests_off": "Emails about submitted returns turned off",
    "transfer_sent": "File sent through Transfers",
    "transfer_refused": "File to send refused",
    "transfer_downloaded": "Transferred file downloaded",
    "transfer_download_refused": "Transferred file failed its check and was not downloaded",
    "transfer_imported": "Transferred file marked as imported into the MIS",
    "transfer_revoked": "Transferred file revoked",
    "transfer_forwarded": "File for another LA recorded as forwarded",
    "transfer_released": "Lost pupil's file released to a school",
    "transfer_expired": "Transferred file deleted at the end of its retention",
    "transfer_counts_downloaded": "Monthly CTF transfer counts downloaded",
    "lost_pupil_search": "Lost pupils searched",
    "message_thread_started": "Secure message sent",
    "message_replied": "Secure message replied to",
    "message_thread_read": "Secure message read",
    "message_thread_archived": "Secure conversation archived",
    "message_thread_unarchived": "Secure conversation moved back to the inbox",
    "message_thread_marked_unread": "Secure conversation marked as unread",
    "message_templates_seeded": "Starting message templates added for the LA",
    "message_receipt_confirmed": "Receipt of a secure message confirmed",
    "message_receipt_chased": "Unconfirmed secure message chased",
    "message_bulk_sent": "Secure message sent to a group of schools",
    "message_template_created": "Message template added",
    "message_template_updated": "Message template changed",
    "message_template_deleted": "Message template deleted",
    "message_group_created": "Saved list of schools added",
    "message_group_updated": "Saved list of schools changed",
    "message_group_deleted": "Saved list of schools deleted",
    "message_expiry_warned": "Secure conversations about to be deleted: people warned",
    "message_thread_expired": "Secure conversation content deleted (retention)",
    "local_return_started": "Local return opened for the first time",
}


#: The details the activity pages show under an action, in this order, and what each is called.
DETAIL_LABELS = {"reason": "Reason", "role": "Role", "from": "From", "to": "To", "added": "Added",
                 "removed": "Removed", "method": "How"}  # fmt: skip
#: Coded values in those details, in words (anything else shows as it was recorded, free text such as a reason
#: someone typed included).
DETAIL_WORDS = {
    "wrong_password": "wrong password",  # nosec B105 # words for a coded reason, not a password (and below)
    "wrong_code": "wrong two-step verification code",
    "wrong_recovery_code": "wrong recovery code",
    "unknown_email": "no account with that email address",
    "locked": "the account was locked",
    "account_suspended": "the account is suspended",
    "account_invited": "the invitation was not accepted yet",
    "account_invitation_expired": "the invitation had expired",
    "password": "password",  # nosec B105 # a word for a coded sign-in method, not a password
    "totp": "password and two-step verification code",
    "recovery_code": "password and recovery code",
    "password_then_enrolment": "password, then setting up two-step verification",  # nosec B105 # words, not a password
    "account_removed": "the account was removed",
    **ROLES,
    **SERVICES,
}


def detail_notes(detail: dict) -> str:
    """The details worth showing under an activity row, in words: ``Reason: wrong password; How: ...``."""
    notes = []
    for key, label in DETAIL_LABELS.items():
        value = detail.get(key)
        if value:
            values = value if isinstance(value, list) else [value]
            notes.append(f"{label}: {', '.join(DETAIL_WORDS.get(str(v), str(v)) for v in values)}")
    return "; ".join(notes)


def action_title(action: str | None) -> str:
    """The plain title of an audited action (its name in words when it has no title here)."""
    if not action:
        return ""
    return ACTION_TITLES.get(action, action.replace("_", " ").capitalize())
