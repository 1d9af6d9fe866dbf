"""The parts of the loopback cloud, one module per concern.

Each module says what it makes and how ``devcloud down`` (or ``purge``)
undoes it.  Standard library only: the tool runs on the system Python,
outside the services' virtualenv.
"""
