"""Stage 4 of the login pipeline: required actions (forced password resets)."""
