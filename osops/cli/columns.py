"""Values that a table shows one way and -f json|yaml another, as
python-openstackclient's columns do: the table keeps nova's shapes
(``private=10.0.0.5``, ``-``), machines get the data (a mapping of
network to addresses, null, numbers)."""

from cliff.columns import FormattableColumn


class Shown(FormattableColumn):
    """*value* for machines, *human* (default: str of it) in a table."""

    def __init__(self, value, human=None):
        super().__init__(value)
        self._human = str(value) if human is None else human

    def human_readable(self):
        return self._human

    def machine_readable(self):
        return self._value


def or_dash(value):
    """A missing value: ``-`` in a table, null for machines."""
    return Shown(value if value not in ("", None) else None, value if value not in ("", None) else "-")


def addresses(server):
    """A server's addresses: ``private=10.0.0.5, 172.24.4.3`` in a table,
    ``{"private": ["10.0.0.5", "172.24.4.3"]}`` for machines."""
    return Shown(server.addresses_by_network(), server.networks)


def listed(values):
    """A list: comma-separated in a table, a list for machines."""
    values = list(values)
    return Shown(values, ", ".join(map(str, values)))


def mapping(values):
    """A mapping: ``k='v', ...`` in a table (as openstack shows properties), a mapping for machines."""
    return Shown(dict(values), ", ".join(f"{k}='{v}'" for k, v in sorted(values.items())))
