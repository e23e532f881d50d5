#!/usr/bin/python3
"""Reference MLLP server for side-by-side load runs (docs/performance.md).

python3-hl7's asyncio MLLP server (Debian package python3-hl7): parses each
message with hl7.parse and answers an AA ACK built by the library, keeping
nothing. It does what a plain MLLP endpoint does, without Raccordo's durable
journal, so the ratio shows the cost of "no ACK before fsync".

    python3 tests/bench/mllp_reference_server.py --port 2576
"""
import argparse
import asyncio

import hl7
from hl7.mllp import start_hl7_server


async def handle(reader, writer):
    try:
        while not writer.is_closing():
            message = await reader.readmessage()
            writer.writemessage(message.create_ack())
            await writer.drain()
    except asyncio.IncompleteReadError:
        pass
    finally:
        writer.close()


async def main(port):
    async with await start_hl7_server(handle, host="127.0.0.1", port=port, encoding="utf-8") as server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=2576)
    asyncio.run(main(parser.parse_args().port))
