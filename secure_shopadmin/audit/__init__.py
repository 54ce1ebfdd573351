"""Stage 6 of the login pipeline and the app-wide audit trail: one append-only event per security action."""
