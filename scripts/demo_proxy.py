"""The front door of `make demo`: one port for the browser, as a reverse proxy would give it.

In prefork mode (workers > 0, which the demo needs for per-request time limits) Odoo serves HTTP
from its workers and the websocket (/websocket, the bus: live chatter, notifications) from a
separate gevent process on gevent_port; a worker answers a websocket request with an error.
Odoo's deployment guide puts a reverse proxy in front to send /websocket to the gevent port. This
is that proxy, for a local demo only: it reads each connection's request line and relays the
connection, bytes unchanged, to the gevent port for /websocket and to the HTTP workers otherwise.
Browsers open every websocket on a connection of its own, so the first request line decides.

    python scripts/demo_proxy.py --listen 0.0.0.0:8069 --http 127.0.0.1:8070 --websocket 127.0.0.1:8072
"""

import argparse
import asyncio
import contextlib
import sys

BAD_GATEWAY = b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def address(text):
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


async def relay(reader, writer):
    """Copy until end of stream, then pass the end of stream on (the other way may go on)."""
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()


async def close(writer):
    writer.close()
    with contextlib.suppress(ConnectionError, OSError):
        await writer.wait_closed()


def handler(http, websocket):
    async def handle(client_reader, client_writer):
        try:
            request_line = await client_reader.readuntil(b"\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, OSError):
            await close(client_writer)
            return
        parts = request_line.split(b" ")
        path = parts[1] if len(parts) > 1 else b"/"
        backend = websocket if path == b"/websocket" or path.startswith((b"/websocket?", b"/websocket/")) else http
        try:
            backend_reader, backend_writer = await asyncio.open_connection(*backend)
        except OSError:
            with contextlib.suppress(ConnectionError, OSError):
                client_writer.write(BAD_GATEWAY)
                await client_writer.drain()
            await close(client_writer)
            return
        backend_writer.write(request_line)
        await asyncio.gather(relay(client_reader, backend_writer), relay(backend_reader, client_writer))
        await close(backend_writer)
        await close(client_writer)

    return handle


async def serve(listen, http, websocket):
    server = await asyncio.start_server(handler(http, websocket), *listen, reuse_address=True)
    async with server:
        await server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", type=address, required=True, help="host:port the browser uses")
    parser.add_argument("--http", type=address, required=True, help="host:port of Odoo's HTTP workers")
    parser.add_argument("--websocket", type=address, required=True, help="host:port of Odoo's gevent process")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.listen, args.http, args.websocket))
    except KeyboardInterrupt:
        pass
    except OSError as error:
        print(f"demo proxy: cannot listen on {args.listen[0]}:{args.listen[1]}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
