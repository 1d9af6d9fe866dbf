"""The osops command line: a thin cliff layer over the Python API."""
