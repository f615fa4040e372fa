"""The demo's second factor (issue 12): every demo login whose role must use two-factor sign-in
gets a confirmed authenticator with one published, demo-only secret, so a visitor can add it to
any authenticator app (or run `manage.py demo_code`) instead of enrolling a phone per account.
Never in production: seed_demo refuses to run there."""

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.models import User
from members.two_factor import TOTP_NAME, is_required

# 20 bytes ("qingdao-demo-2fa-key"): as base32 for the apps, as hex for django-otp's column.
DEMO_TOTP_SECRET = "OFUW4Z3EMFXS2ZDFNVXS2MTGMEWWWZLZ"
DEMO_TOTP_KEY_HEX = b"qingdao-demo-2fa-key".hex()


def demo_second_factors(usernames) -> int:
    """A confirmed demo authenticator for each of these users who must use one and has none;
    returns how many were added (0 on a second run)."""
    added = 0
    for user in User.objects.filter(username__in=list(usernames)):
        if not is_required(user) or TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            continue
        TOTPDevice.objects.create(user=user, name=TOTP_NAME, key=DEMO_TOTP_KEY_HEX, confirmed=True)
        added += 1
    return added


def demo_code() -> str:
    """The demo secret's current 6-digit code."""
    return f"{TOTP(bytes.fromhex(DEMO_TOTP_KEY_HEX)).token():06d}"
