"""Signing users in with OpenID Connect, and deciding which logs they may tail.

This is the only package that speaks OAuth or JOSE (it alone imports ``authlib`` and
``joserfc``); the web layer sees identities, sessions and errors. One module per step:

- ``settings``   the ``TAILGATE_OIDC_*`` settings, validated at start-up
- ``discovery``  the provider's endpoints, fetched with retries until it answers
- ``keys``       the provider's signing keys, refetched when a new one appears
- ``tokens``     ID token and bearer access token checks
- ``flow``       the authorization code flow with PKCE, state and nonce
- ``sealing``    AES-GCM sealed values the browser carries for us
- ``session``    the session cookie
- ``refresh``    checking sessions with the provider again, each refresh token spent once
- ``oauth_client`` the OAuth client for the token and revocation endpoints
- ``csrf``       tokens for the forms that change state (signing out)
- ``identity``   who a token says the user is; groups from the configured claim
- ``access``     the ``allow`` policy of a log
- ``errors``     what can go wrong, with messages for users
- ``oidc``       all of the above assembled, for the web app to keep
"""
