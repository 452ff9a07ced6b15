"""The one registry of audit action codes and their human labels (habit from pretix/Wagtail).

Every app registers the codes it writes; `record()` refuses an unknown code.
"""

LABELS: dict[str, str] = {}


def register(labels: dict[str, str]) -> None:
    for code, label in labels.items():
        if code in LABELS and LABELS[code] != label:
            raise ValueError(f"audit action {code!r} registered twice with different labels")
        LABELS[code] = label


def label_for(code: str) -> str:
    return LABELS.get(code, code)


register(
    {
        "accounts.user.created": "Account created",
        "accounts.user.signed_in": "Signed in",
        "accounts.user.sign_in_failed": "Sign-in failed",
        "accounts.otp.enrolled": "Two-factor sign-in enrolled",
        "accounts.otp.reset": "Two-factor sign-in reset by an administrator",
        "accounts.token.issued": "API token issued",
        "audit.trail.viewed": "Access history viewed",
        "audit.chain.keyed": "Audit chain re-chained with the audit key",
        "accounts.setting.changed": "Clinic setting changed",
        "accounts.user.deactivated": "Account deactivated",
        "accounts.user.activated": "Account re-activated",
        "accounts.password.changed": "Password changed",
        "accounts.password.reset": "Password reset by e-mail link",
        "accounts.password.issued": "Temporary password issued by an administrator",
        "accounts.token.revoked": "API token revoked",
        "accounts.tokens.purged": "Expired API tokens removed",
        "accounts.session.idle_ended": "Session ended after inactivity",
        "accounts.organisation.created": "Organisation created",
        "accounts.organisation.contact_changed": "Organisation's contact details changed",
        "accounts.partnership.added": "Rehabilitation partner added",
        "accounts.partnership.ended": "Rehabilitation partnership ended",
        "accounts.patient.invited": "Patient invited to set up their account",
        "accounts.invitation.accepted": "Patient account invitation accepted",
    }
)
