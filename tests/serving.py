"""A real waitress server in a background thread, started and stopped cleanly (tests that need the
server's own behaviour: body limits, proxy headers, a browser)."""

from __future__ import annotations

import threading

from waitress import create_server, wasyncore

from commands.core import WAITRESS_BUFFERS


class ThreadedServer:
    """``create_server(app, **settings)`` on 127.0.0.1 with a free port, run in a daemon thread, with the buffer
    sizes ``flask --app app serve`` uses.

    :meth:`stop` closes the server from inside its own loop (through waitress's trigger), so the
    loop's ``select`` never sees a socket closed under it from another thread, then waits for it."""

    def __init__(self, app, **settings) -> None:
        settings = {"threads": 4, **WAITRESS_BUFFERS, **settings, "host": "127.0.0.1", "port": 0}
        self.server = create_server(app, **settings)
        self.port = self.server.effective_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> ThreadedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        server = self.server
        closing = dict(server._map)  # the listening socket, its trigger and any open connections

        def close_everything() -> None:
            server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
            wasyncore.close_all(closing)  # the loop's map is then empty, so the loop ends

        server.trigger.pull_trigger(close_everything)
        self.thread.join(timeout=10)
        assert not self.thread.is_alive(), "the waitress server did not stop"
