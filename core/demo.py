"""The demo data of `make run`, app by app.

`seed_demo` lives low in the chain of apps and may not import the apps above it; instead each
app that has demo data registers its loader at start-up, in its `AppConfig.ready()`, with an
`order` (lower first: the offices and cases before the payments made on them), and seed_demo
runs every registered loader in that order. A loader may add lines to the sign-ins printed at
the end (the users it creates).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO


@dataclass(frozen=True)
class DemoOptions:
    """What every loader is told: the demo users' password, the size asked for, where to report."""

    password: str
    households: int
    stdout: TextIO


@dataclass(frozen=True)
class DemoLoader:
    name: str
    order: int
    load: Callable[[DemoOptions], None]
    #: Lines for the sign-ins list, like "  north.manager     office manager: ...".
    logins: tuple[str, ...] = field(default=())


_loaders: dict[str, DemoLoader] = {}


def demo_loader_register(
    *, name: str, order: int, load: Callable[[DemoOptions], None], logins: tuple[str, ...] = ()
) -> DemoLoader:
    """Add an app's demo loader (registering the same name again replaces it)."""
    loader = DemoLoader(name=name, order=order, load=load, logins=logins)
    _loaders[name] = loader
    return loader


def demo_loaders() -> list[DemoLoader]:
    """The registered loaders, lowest `order` first (then by name, so the order never depends on start-up)."""
    return sorted(_loaders.values(), key=lambda loader: (loader.order, loader.name))
