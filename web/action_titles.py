"""What each audited action is called on a page: one plain title per action name in the audit log.

Used by the ``action_title`` template filter (web/filters.py) on the audit log and the activity
pages. An action without an entry reads as its name in words ("deadline_chased" -> "Deadline chased").
"""

from __future__ import annotations

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
    "lost_pupil_search": "Lost pupils searched",
}


def action_title(action: str | None) -> str:
    """The plain title of an audited action (its name in words when it has no title here)."""
    if not action:
        return ""
    return ACTION_TITLES.get(action, action.replace("_", " ").capitalize())
