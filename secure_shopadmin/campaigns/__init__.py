"""Breach campaigns: from a list of affected accounts to every reset done, as one tracked thing.

A sub-package of its own, not part of ``resets``: a campaign *orchestrates* several capabilities —
it requires resets (``resets``), wraps legacy hashes (``hashers``), relies on the second-factor
stage for staff (``twofactor``), ends sessions and reads login history (``alerts``) and writes the
audit trail (``audit``) — while each of those stays usable on its own. The reset stage of the
login pipeline knows nothing of campaigns.
"""
