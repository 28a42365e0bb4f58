"""Separate network hosts on one machine, for the test of a cluster across machines: one
network namespace per host, each with its own address on a bridge (a switch) in the
root namespace, which is where the test's customers stand. Needs root (``ip netns``).

Names are unique to the run (namespaces and links are the machine's, not the test's),
and everything made is removed again, whatever happened in between.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field


def ip(*words: str) -> str:
    """``ip`` from iproute2; what it printed. Fails loudly: a half-built network would
    make the test fail later for a reason that is not the cluster's."""
    done = subprocess.run(["ip", *words], capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"ip {' '.join(words)}: {done.stderr.strip()}"
    return done.stdout


def drop_link(name: str) -> None:
    """Delete a link unless it went with its pair's namespace already."""
    if name in ip("-o", "link", "show"):
        ip("link", "delete", name)


@dataclass
class Network:
    """A bridge in the root namespace and the hosts on it: name -> (namespace, address)."""

    bridge: str
    subnet: str  # the first three octets, e.g. "10.213.7"
    hosts: dict[str, tuple[str, str]] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)  # the root namespace's veth ends

    @property
    def gateway(self) -> str:
        """The root namespace's address on the bridge: where the customers talk from."""
        return f"{self.subnet}.254"

    def address(self, host: str) -> str:
        return self.hosts[host][1]

    def namespace(self, host: str) -> str:
        return self.hosts[host][0]

    def add_host(self, name: str, number: int) -> None:
        """A namespace joined to the bridge by a veth pair, at ``<subnet>.<number>``."""
        tag = f"{self.bridge}{number}"  # at most 15 characters, a link name's limit
        namespace, address = f"{self.bridge}-{name}", f"{self.subnet}.{number}"
        ip("netns", "add", namespace)
        self.hosts[name] = (namespace, address)
        ip("link", "add", f"{tag}h", "type", "veth", "peer", "name", f"{tag}n")
        self.links.append(f"{tag}h")
        ip("link", "set", f"{tag}h", "master", self.bridge, "up")
        ip("link", "set", f"{tag}n", "netns", namespace)
        ip("-n", namespace, "link", "set", f"{tag}n", "name", "eth0")
        ip("-n", namespace, "addr", "add", f"{address}/24", "dev", "eth0")
        ip("-n", namespace, "link", "set", "eth0", "up")
        ip("-n", namespace, "link", "set", "lo", "up")

    def kill_host(self, name: str) -> int:
        """SIGKILL every process on one host at once, as a host that loses power: nothing
        of it stops cleanly. How many processes there were."""
        pids = [int(pid) for pid in ip("netns", "pids", self.namespace(name)).split()]
        for pid in pids:
            with suppress(ProcessLookupError):  # it ended on its own meanwhile
                os.kill(pid, signal.SIGKILL)
        return len(pids)

    def remove(self) -> None:
        """Kill what still runs on the hosts, then delete them and the bridge (deleting
        a namespace deletes its end of the veth pair, and so the pair). Every step is
        tried, even after one failed; then the first failure is raised."""
        failures = []
        steps = [(self.kill_host, name) for name in self.hosts]
        steps += [(ip, "netns", "delete", namespace) for namespace, _ in self.hosts.values()]
        steps += [(drop_link, link) for link in self.links]
        for step, *words in [*steps, (ip, "link", "delete", self.bridge)]:
            try:
                step(*words)
            except AssertionError as failure:
                failures.append(failure)
        if failures:
            raise failures[0]


@contextmanager
def network(hosts: dict[str, int]) -> Iterator[Network]:
    """Hosts named to their last octet on a fresh /24 of 10.0.0.0/8, removed afterwards."""
    net = Network(
        f"jh{uuid.uuid4().hex[:6]}", f"10.{random.randint(200, 250)}.{random.randint(0, 255)}"
    )
    ip("link", "add", net.bridge, "type", "bridge")
    try:
        ip("addr", "add", f"{net.gateway}/24", "dev", net.bridge)
        ip("link", "set", net.bridge, "up")
        for name, number in hosts.items():
            net.add_host(name, number)
        yield net
    finally:
        net.remove()
