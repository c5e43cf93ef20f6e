"""A minimal HTTP/1.1 server for an ASGI application, in a background thread: the browser
test runs the push application in the test process, where it shares the live server's test
database (an in-memory SQLite database is not visible to another process). One request per
connection; the response ends when the application says so or the client goes away."""

import asyncio
import threading
from urllib.parse import unquote

from asgiref.sync import sync_to_async
from django.db import connections


class ThreadedASGIServer:
    def __init__(self, app, host: str = "127.0.0.1"):
        self.app, self.host = app, host
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server = None
        self.paths: list[str] = []  # what was asked for, in order

    def start(self) -> str:
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, self.host, 0), self.loop
        ).result(5)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://{self.host}:{port}"

    def stop(self) -> None:
        async def shutdown():
            self.server.close()
            for task in asyncio.all_tasks() - {asyncio.current_task()}:
                task.cancel()
            # The application's database work ran in asgiref's thread: close its connections
            # there, or PostgreSQL refuses to drop the test database.
            await sync_to_async(connections.close_all)()

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            writer.close()
            return
        request_line, *lines = head.decode("latin-1").split("\r\n")
        method, target, _ = request_line.split(" ", 2)
        path, _, query = target.partition("?")
        self.paths.append(path)
        headers = [
            (name.strip().lower().encode("latin-1"), value.strip().encode("latin-1"))
            for name, _, value in (line.partition(":") for line in lines if line)
        ]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": unquote(path),
            "raw_path": path.encode("latin-1"),
            "query_string": query.encode("latin-1"),
            "headers": headers,
            "client": writer.get_extra_info("peername")[:2],
            "server": writer.get_extra_info("sockname")[:2],
            "root_path": "",
        }
        requested = False

        async def receive():
            nonlocal requested
            if not requested:
                requested = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await reader.read()  # returns when the client closes
            return {"type": "http.disconnect"}

        async def send(message):
            if message["type"] == "http.response.start":
                status = message["status"]
                lines = [f"HTTP/1.1 {status} -".encode()]
                lines += [name + b": " + value for name, value in message.get("headers", [])]
                writer.write(b"\r\n".join([*lines, b"Connection: close", b"", b""]))
            elif message["type"] == "http.response.body":
                writer.write(message.get("body", b""))
                await writer.drain()
                if not message.get("more_body", False):
                    writer.close()

        try:
            await self.app(scope, receive, send)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            if not writer.is_closing():
                writer.close()
