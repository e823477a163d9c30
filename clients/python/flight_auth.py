"""Logging in to a cluster that authenticates (README "Secure cluster").

A coordinator started with --users answers Flight's basic-auth handshake with a bearer token that
every coordinator and data server of the cluster accepts. pyarrow does the handshake with
`authenticate_basic_token`; the token then goes with every call as a header, to coordinators and
data servers alike. The password comes from FLIGHT_PASSWORD, never from a command-line flag.
"""

from __future__ import annotations

import os

import pyarrow.flight as flight

PASSWORD_ENV = "FLIGHT_PASSWORD"


def password_from_env(user: str) -> str:
    """The password for `user` from FLIGHT_PASSWORD; ValueError when it is not set."""
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        raise ValueError(f"--user {user} needs the password in env {PASSWORD_ENV}")
    return password


def login(client: flight.FlightClient, user: str, password: str) -> list[tuple[bytes, bytes]]:
    """Handshakes at a coordinator; returns the headers to send with every later call."""
    name, value = client.authenticate_basic_token(user.encode("utf-8"), password.encode("utf-8"))
    return [(name, value)]
