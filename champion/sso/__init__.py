"""Single sign-on: OpenID Connect and SAML 2.0 sign-in, configured from the environment.

Both protocols end in ``champion.auth.operations.sign_in_external`` (the one account rule)
through ``operations.sign_in_with``; ``oidc.py`` and ``saml.py`` only verify what the
identity provider sent and say who it is (``Identity``).
"""
