"""The floor under any fan-out on this machine: loopback TCP with a server that does nothing.

``loopback_floor.c`` (built with gcc, like the fleet of ``sse_fleet.py``) forks into a writer
that holds ``--subscribers`` accepted connections and write()s every frame to each of them,
and a reader that holds the other ends with epoll, as the fleet does. No HTTP, no SSE framing,
no channel: what is left is the kernel's work per delivery, which every engine that gives each
viewer a copy of the frame over TCP pays on top of its own (nchan, Pushpin, Python). The
frames mimic the live feed: ``--small`` bytes (an append), every ``--big-every``-th
``--big`` bytes (a whole state).

Run: nice python bench/loopback_floor.py [--subscribers 10000] [--rate 5] [--seconds 60]
         [--runs 3] [--coalesce-us 250]

Prints, per run and as medians over the runs: latency p50/p99/max (frame complete at a
connection - the writer's clock before its first write of that frame), the burst (first to
last write of one frame), and the CPU of each side per delivery.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
from pathlib import Path

from sse_fleet import binary

SOURCE = Path(__file__).resolve().with_name("loopback_floor.c")


def run_once(
    subscribers: int, frames: int, rate: float, small: int, big: int, big_every: int, coalesce
) -> dict[str, float]:
    """One run of the C program, parsed."""
    args = [subscribers, frames, rate, small, big, big_every, coalesce]
    out = subprocess.run(
        [str(binary(SOURCE)), *map(str, args)], capture_output=True, text=True, check=True
    ).stdout
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.strip()}
    w_cpu, w_wall, burst_p50, burst_max = map(float, lines["writer"])
    r_cpu, deliveries, p50, p99, worst = map(float, lines["reader"])
    expected = subscribers * frames
    return {
        "p50_ms": p50,
        "p99_ms": p99,
        "max_ms": worst,
        "burst_p50_ms": burst_p50,
        "burst_max_ms": burst_max,
        "lost": expected - deliveries,
        "writer_us": w_cpu / expected * 1e6,
        "reader_us": r_cpu / expected * 1e6,
        "wall_s": w_wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--small", type=int, default=700)
    parser.add_argument("--big", type=int, default=26_000)
    parser.add_argument("--big-every", type=int, default=9)
    parser.add_argument("--coalesce-us", type=int, default=250)
    args = parser.parse_args()
    frames = max(1, round(args.rate * args.seconds))
    runs = []
    print(
        f"{args.subscribers} connections, {frames} frames at {args.rate}/s "
        f"({args.small} B, every {args.big_every}th {args.big} B)"
    )
    header = "run  p50 ms  p99 ms  max ms  burst p50  lost  writer µs  reader µs"
    print(header)
    for i in range(args.runs):
        r = run_once(
            args.subscribers,
            frames,
            args.rate,
            args.small,
            args.big,
            args.big_every,
            args.coalesce_us,
        )
        runs.append(r)
        print(
            f"{i + 1:>3}  {r['p50_ms']:6.1f}  {r['p99_ms']:6.1f}  {r['max_ms']:6.1f}  "
            f"{r['burst_p50_ms']:9.1f}  {r['lost']:4.0f}  {r['writer_us']:9.2f}  "
            f"{r['reader_us']:9.2f}"
        )
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(
        f"med  {med['p50_ms']:6.1f}  {med['p99_ms']:6.1f}  {med['max_ms']:6.1f}  "
        f"{med['burst_p50_ms']:9.1f}  {med['lost']:4.0f}  {med['writer_us']:9.2f}  "
        f"{med['reader_us']:9.2f}"
    )
    per_frame = args.subscribers * (med["writer_us"] + med["reader_us"]) / 1000
    print(
        f"CPU per frame, both sides: {per_frame:.0f} ms; over 2 cores the last delivery of a "
        f"frame cannot come before {per_frame / 2:.0f} ms"
    )


if __name__ == "__main__":
    main()
