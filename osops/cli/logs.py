"""Which log lines go where.  On stderr: warnings; with -v also osops's
own INFO lines; with -v -v also the HTTP log (keystoneauth's requests and
answers) and the libraries' notices; with --debug everything.  --log-file
always gets INFO lines and the HTTP log.  Plugin loading (stevedore's
"found extension ...") is never shown below a warning."""

import logging

OWN = ("osops",)
HTTP = ("keystoneauth.session", "keystoneauth1.session")
CHATTY = ("keystoneauth", "keystoneauth1", "openstack", "py.warnings")  # retry notices, SDK chatter
NOISE = ("stevedore", "cliff")


class Shown(logging.Filter):
    """A handler's choice of records: osops's own from *own*, the HTTP log
    when *http*, keystoneauth's and openstacksdk's other lines from
    *chatty*, the rest from *others* (levels)."""

    def __init__(self, own, http, chatty, others):
        super().__init__()
        self.own, self.http, self.chatty, self.others = own, http, chatty, others

    def filter(self, record):
        name, level = record.name, record.levelno
        if _under(name, OWN):
            return level >= self.own
        if _under(name, NOISE):
            return level >= logging.WARNING
        if _under(name, HTTP) and self.http:
            return True
        if _under(name, CHATTY):
            return level >= self.chatty
        return level >= self.others


def console(verbose_level, debug=False):
    """The filter of stderr's handler for cliff's *verbose_level* (1 by
    default, 2 with -v, 3 with -v -v; 0 with -q)."""
    if debug:
        return Shown(logging.DEBUG, True, logging.DEBUG, logging.DEBUG)
    if verbose_level >= 3:
        return Shown(logging.DEBUG, True, logging.INFO, logging.INFO)
    if verbose_level == 2:
        return Shown(logging.INFO, False, logging.ERROR, logging.WARNING)
    return Shown(logging.WARNING, False, logging.ERROR, logging.WARNING)


def log_file(debug=False):
    """The filter of --log-file's handler: INFO lines and the HTTP log (everything with --debug)."""
    level = logging.DEBUG if debug else logging.INFO
    return Shown(level, True, level, level)


def configure(handlers, verbose_level, debug=False):
    """Give each of cliff's *handlers* its filter (and every record to judge)."""
    logging.captureWarnings(True)
    for name in CHATTY:  # levels an earlier osops in this process set
        logging.getLogger(name).setLevel(logging.NOTSET)
    for handler in handlers:
        for old in [f for f in handler.filters if isinstance(f, Shown)]:
            handler.removeFilter(old)
        handler.setLevel(logging.DEBUG)
        to_file = isinstance(handler, logging.FileHandler)
        handler.addFilter(log_file(debug) if to_file else console(verbose_level, debug))


def _under(name, prefixes):
    return any(name == p or name.startswith(p + ".") for p in prefixes)
