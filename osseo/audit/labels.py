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


# Codes an audit entry's changes may hold that are not a model field's choices (an operative
# record's steps and options, a plan's anaesthesia, a load log's flags), with their labels:
# each app registers its own, and the history pages show the label (audit_words.change_value).
VALUE_LABELS: dict[str, str] = {}


def register_values(labels: dict[str, str]) -> None:
    """Add the labels of codes that an app's audit changes hold (a code keeps its first label)."""
    for code, label in labels.items():
        VALUE_LABELS.setdefault(code, str(label))


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
