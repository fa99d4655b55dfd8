#!/usr/bin/env python3
"""Writes a topology of N clients, for the benchmark and for CI's scale check.

usage: bench/scale.py N [--fleet] > scale.topo.toml

Per client (default): an [instance] with a new Elastic IP and business
hours, and a [failover] record clientNNNNN.example.com to one shared sorry
site: the per-client unit of the peers' scenario (../shared/peers). With
--fleet: one [fleet] whose clients are the N clients, with business hours,
each registering clientNNNNN.example.com at boot.
Standard library only; the same N gives the same bytes.
"""
import sys

HEADER = """[stack]
name = "Scale"
region = "ap-northeast-1"

[zone.main]
id = "Z0123456789ABCDEFGHIJ"
domain = "example.com"
"""
SORRY = """
[sorry.down]
certificate = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
title = "Closed"
"""
LAUNCH = """ami = "ami-0123456789abcdef0"
type = "t3.small"
subnets = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"]
security_groups = ["sg-0123456789abcdef0"]
hours = { days = "MON-FRI", start = "09:00", stop = "19:00", timezone = "Asia/Tokyo" }
"""


def main(argv: list[str]) -> int:
    if not argv or not argv[0].isdigit() or argv[1:] not in ([], ["--fleet"]):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    n, fleet = int(argv[0]), argv[1:] == ["--fleet"]
    names = [f"client{i:05d}" for i in range(n)]
    out = [HEADER]
    if fleet:
        clients = ", ".join(f'"{c}"' for c in names)
        out.append(f"\n[fleet.app]\n{LAUNCH}clients = [{clients}]\n"
                   'dns = { zone = "zone.main", record = "{client}.example.com" }\n')
    else:
        out.append(SORRY)
        for c in names:
            out.append(f"\n[instance.{c}]\n{LAUNCH}\n[failover.{c}]\nrecord = \"{c}.example.com\"\n"
                       f"zone = \"zone.main\"\nprimary = \"instance.{c}\"\nsecondary = \"sorry.down\"\n")
    sys.stdout.write("".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
