"""A wait's progress on a terminal's stderr: at once a line saying what is
awaited, redrawn every second with the elapsed time and a heartbeat, and
each state change on a line of its own (``demo-1: BUILD → ACTIVE in 4.2 s``)."""

import threading
import time

BEAT = "|/-\\"
CLEAR = "\r\033[K"  # back to the start of the line, and erase it


class Progress:
    """Progress of the command *what* (``boot``) on the terminal *stream*;
    *names* maps server ids to names.  :meth:`on_change` is the wait's
    callback; :meth:`begin` shows the line and starts the heartbeat (one
    :meth:`tick` a second), :meth:`end` stops it and clears the line.
    Never begun, it prints the state changes alone (between other live lines)."""

    def __init__(self, stream, what, names=None, clock=time.monotonic):
        self.stream, self.what, self.clock = stream, what, clock
        self.names = dict(names or {})
        self.states = {}
        self.start = clock()
        self.beats = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None

    def begin(self):
        self.tick()
        self._thread = threading.Thread(target=self._beat, name="osops-progress", daemon=True)
        self._thread.start()
        return self

    def end(self):
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        with self._lock:
            self.stream.write(CLEAR)
            self.stream.flush()

    def on_change(self, server_id, server, old, elapsed):
        with self._lock:
            if server is not None:
                self.names[server_id] = server.name
            new = server.status if server else "GONE"
            self.states[server_id] = new
            if old is not None:
                clear = CLEAR if self._thread else ""
                self.stream.write(f"{clear}{self.names.get(server_id, server_id)}: {old} → {new} in {elapsed:.1f} s\n")
            if self._thread:
                self._draw()
            else:
                self.stream.flush()

    def tick(self):
        """Redraw the line with the elapsed time and the next heartbeat."""
        with self._lock:
            self.beats += 1
            self._draw()

    def line(self):
        """The progress line: what, each server's state, elapsed time, heartbeat."""
        states = ", ".join(f"{self.names.get(i, i)} {s}" for i, s in self.states.items())
        return (f"{self.what}: waiting{' (' + states + ')' if states else ''} "
                f"{self.clock() - self.start:.0f} s {BEAT[self.beats % len(BEAT)]}")

    def _draw(self):
        self.stream.write(CLEAR + self.line())
        self.stream.flush()

    def _beat(self):
        while not self._stop.wait(1.0):
            self.tick()
