"""Signing staff in and out (docs/staff.md, "Sign-in and roles").

The password step is Django's authentication behind django-axes (lockout); the second step is
a TOTP code (django-otp) for users who enrolled a device, or for everyone when
``SHOKA_STAFF_REQUIRE_OTP`` is on. A user is signed in (``request.user.is_authenticated``)
only after both steps: between them the session holds a short-lived *pending sign-in*, so
no page — the staff pages, the configuration screens or anything added later — can mistake
a half-finished sign-in for a signed-in user.
"""
