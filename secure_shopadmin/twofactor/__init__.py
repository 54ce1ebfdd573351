"""Stage 3 of the login pipeline: the second factor, on django-otp."""
