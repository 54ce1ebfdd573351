"""Stage 5 of the login pipeline: the session and the login's environment."""
