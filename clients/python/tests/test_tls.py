"""The Python clients over TLS: a grpc+tls coordinator and data server (pyarrow stand-ins) with a
certificate made by openssl, trusted with --tls-ca; without it the certificate is refused."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pyarrow as pa
import pyarrow.flight as flight
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import list_and_get_all_flights as lister  # noqa: E402
from tls import tls_root_certs  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")

TABLE = pa.table({"id": list(range(50))})


class TlsDataServer(flight.FlightServerBase):
    def __init__(self, certificate: flight.CertKeyPair):
        super().__init__("grpc+tls://127.0.0.1:0", tls_certificates=[certificate])
        self.location = f"grpc+tls://127.0.0.1:{self.port}"

    def do_get(self, context, ticket):
        return flight.RecordBatchStream(TABLE)


class TlsCoordinator(flight.FlightServerBase):
    def __init__(self, certificate: flight.CertKeyPair, server: TlsDataServer):
        super().__init__("grpc+tls://127.0.0.1:0", tls_certificates=[certificate])
        self.server = server
        self.location = f"grpc+tls://127.0.0.1:{self.port}"

    def list_flights(self, context, criteria):
        endpoint = flight.FlightEndpoint(b"ids.parquet", [self.server.location])
        yield flight.FlightInfo(TABLE.schema, flight.FlightDescriptor.for_path("ids.parquet"), [endpoint], -1, -1)


@pytest.fixture()
def tls_cluster(tmp_path):
    cert, key = tmp_path / "node.pem", tmp_path / "node-key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True)
    pair = flight.CertKeyPair(cert=cert.read_text(), key=key.read_text())
    server = TlsDataServer(pair)
    coordinator = TlsCoordinator(pair, server)
    yield {"ca": str(cert), "coordinator": coordinator.location}
    coordinator.shutdown()
    server.shutdown()


def test_lists_and_reads_over_tls_with_the_ca_trusted(tls_cluster):
    counts = lister.list_and_get_all_flights(tls_cluster["coordinator"], timeout=30,
                                             tls_ca=tls_root_certs(tls_cluster["ca"]))
    assert counts == {"ids.parquet": 50}


def test_an_untrusted_certificate_is_refused(tls_cluster, capsys):
    code = lister.main(["--coordinator", tls_cluster["coordinator"], "--timeout", "10", "--connect-timeout", "5"])
    assert code == 2
    assert "cannot list flights" in capsys.readouterr().err


def test_an_unreadable_ca_file_is_named(tmp_path, capsys):
    missing = tmp_path / "missing.pem"
    assert lister.main(["--tls-ca", str(missing)]) == 2
    assert f"cannot read the TLS CA certificate {missing}" in capsys.readouterr().err
