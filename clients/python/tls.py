"""TLS for the Python clients: the CA certificates to trust when a location is grpc+tls://.

`--tls-ca FILE` (or FLIGHT_TLS_CA) names a PEM file of CA certificates, as `flight-cluster keys init`
writes (ca.pem); pyarrow passes it to gRPC as `tls_root_certs`. Without it, grpc+tls:// locations are
checked against the system's CAs. grpc:// locations stay plaintext.
"""

from __future__ import annotations

import os


def tls_root_certs(path: str | None = None) -> bytes | None:
    """The PEM bytes of `path`, else of $FLIGHT_TLS_CA; None when neither is set.

    Raises ValueError naming the file when it cannot be read or holds no PEM certificate (its
    contents are never quoted)."""
    path = path or os.environ.get("FLIGHT_TLS_CA") or None
    if path is None:
        return None
    try:
        with open(path, "rb") as file:
            pem = file.read()
    except OSError as error:
        raise ValueError(f"cannot read the TLS CA certificate {path}: {error.strerror}") from error
    if b"-----BEGIN CERTIFICATE-----" not in pem:
        raise ValueError(f"the TLS CA certificate {path} holds no PEM certificate (BEGIN CERTIFICATE)")
    return pem
