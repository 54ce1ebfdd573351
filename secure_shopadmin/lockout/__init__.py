"""Stage 1 of the login pipeline: the guard, on django-axes."""
