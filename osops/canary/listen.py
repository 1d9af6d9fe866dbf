"""The --metrics-listen address: ``HOST:PORT`` (``127.0.0.1:9464``,
``[::1]:9464``, ``localhost:9464``), the host an IP address or localhost."""

import ipaddress


def parse(text: str) -> tuple[str, int]:
    """(host, port) of *text*; a :class:`ValueError` quoting it otherwise."""
    bad = ValueError(f"not an address to listen on: {text!r} (say 127.0.0.1:9464)")
    if not isinstance(text, str) or not text.isascii() or not text.isprintable():
        raise bad
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise bad
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
        try:
            if ipaddress.ip_address(host).version != 6:
                raise bad
        except ValueError:
            raise bad from None
    elif host != "localhost":
        try:
            if ipaddress.ip_address(host).version != 4:
                raise bad
        except ValueError:
            raise bad from None
    number = int(port)
    if not 1 <= number <= 65535:
        raise ValueError(f"not a port: {port} in {text!r} (1 to 65535)")
    return host, number
