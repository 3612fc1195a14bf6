"""The terminal client: ``tailgate login | logout | logs | tail``, through the same gate.

People without cluster credentials get the browser's logs, access rules and audit in a
terminal. The client speaks to a tailgate server only through its public HTTP API and
the tail protocol (docs/protocol.md), and to the server's identity provider with plain
OAuth 2.0 requests (the device grant of RFC 8628, or a loopback redirect with PKCE per
RFC 8252). Nothing of the server imports it, and it imports nothing of the server's
web, sign-in or source layers: it is a program of its own that ships in the same
package.
"""
