"""The floor under every stage: what several stages share, importing none of them.

Types of the login (:mod:`.steps`, :mod:`.partial`), facts about a request (:mod:`.requests`,
:mod:`.device`), the session registry (:mod:`.sessions`), who is under the second-factor policy
(:mod:`.policy`), links from the one base URL (:mod:`.links`), mail, encryption and single-use tokens.
"""
