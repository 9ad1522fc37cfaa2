"""A minimal SMTP sink for bench_scheduler (in the spirit of postfix's smtp-sink): speaks
just enough SMTP (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), accepts everything and
counts messages, in a process of its own. aiosmtpd, which the tests use to check what is
received, spends more per command than the client being measured; this one does not.
On SIGTERM it writes the count to Redis.

    python -m benchmarks.smtp_sink PORT REDIS_URL
"""
import asyncio
import signal
import sys

import redis

COUNT = 0


async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
    global COUNT
    writer.write(b"220 sink ESMTP\r\n")
    in_data = False
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            if in_data:
                if line == b".\r\n":
                    in_data = False
                    COUNT += 1
                    writer.write(b"250 2.0.0 queued\r\n")
                continue
            verb = line[:4].upper()
            if verb == b"EHLO":
                writer.write(b"250-sink\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n")
            elif verb == b"DATA":
                in_data = True
                writer.write(b"354 go ahead\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                writer.write(b"250 OK\r\n")
            await writer.drain()
    finally:
        writer.close()


async def main(port: int, url: str):
    server = await asyncio.start_server(session, "127.0.0.1", port)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    async with server:
        await stop.wait()
    redis.Redis.from_url(url).set("bench:smtp", COUNT)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
