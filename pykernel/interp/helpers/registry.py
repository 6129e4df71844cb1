"""Registration of helper implementations against THE helper table.

Implementations are keyed by the helper table (``pykernel.uapi.helpers``): ::

    @helper("ktime_get_ns")                       # every kernel function of the helper
    def ktime_get_ns(run, r1, r2, r3, r4, r5): ...

    @helper("redirect", func="bpf_xdp_redirect")  # one per-program-type variant
    def xdp_redirect(run, ifindex, flags, *_): ...

    @kernel_func("__htab_map_lookup_elem")        # a kernel function xlated code calls
    def htab_lookup(run, map_addr, key, *_): ...  # directly (map ops, skb load helpers)

An unknown helper name/id, a ``func`` that is not one of the helper's protos, or a kernel
function that is no known call target fails at import time (``LookupError``).

The verifier's fixups turn ``call <id>`` into ``call <kernel function>#imm`` (imm = the
function's address minus ``__bpf_call_base`` in the 6.18 build, see
:mod:`pykernel.kallsyms`); :func:`kernel_calls` is the :class:`CallTable` from those imms to
implementations (plus ``bpf_tail_call#12``, which keeps its id). :func:`helper_ids` maps
plain helper ids, for running programs that did not go through the verifier (tests).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from ...kallsyms import SYMBOL_IMM
from ...uapi import helpers as H
from ..calls import CallTable, HelperFn, HelperImpl

try:  # the layouts module lists a few more call targets seen in fixtures
    from ...layouts import KERNEL_CALL_IMM as _LAYOUT_IMMS
except ImportError:  # pragma: no cover
    _LAYOUT_IMMS = {}

TAIL_CALL_IMM = 12

#: kernel symbol -> call imm of every known call target
CALL_IMMS: dict[str, int] = {**_LAYOUT_IMMS, **SYMBOL_IMM}

_EXPLICIT: dict[str, HelperImpl] = {}  # kernel symbol -> impl
_BY_HELPER: dict[int, HelperImpl] = {}  # helper id -> impl (all of its functions)
_KFUNCS: dict[str, HelperImpl] = {}  # non-helper kernel call targets


def _lookup(name: str | int) -> H.Helper:
    h = H.by_id(name) if isinstance(name, int) else H.by_name(name.removeprefix("bpf_"))
    if h is None or h.proto is None:
        raise LookupError(f"no helper {name!r} in the helper table")
    return h


def funcs_of(h: H.Helper) -> set[str]:
    """Every kernel function implementing ``h`` (default proto and variants)."""
    out = {h.proto.func} if h.proto and h.proto.func else set()
    out.update(p.func for _, p in h.variants if p is not None and p.func)
    return out


def helper(name: str | int, *, func: str | None = None, kind: str = "plain") -> Callable[[HelperFn], HelperFn]:
    h = _lookup(name)
    if func is not None and func not in funcs_of(h):
        raise LookupError(f"{func} is not a function of helper {h.name} ({sorted(funcs_of(h))})")

    def deco(fn: HelperFn) -> HelperFn:
        impl = HelperImpl(func or h.bpf_name, fn, kind)
        if func is None:
            if h.id in _BY_HELPER:
                raise LookupError(f"helper {h.name} registered twice")
            _BY_HELPER[h.id] = impl
        else:
            if func in _EXPLICIT:
                raise LookupError(f"{func} registered twice")
            _EXPLICIT[func] = impl
        _reset()
        return fn

    return deco


def kernel_func(symbol: str, *, kind: str = "plain") -> Callable[[HelperFn], HelperFn]:
    if symbol not in CALL_IMMS:
        raise LookupError(f"{symbol} is no call target of the 6.18 build")

    def deco(fn: HelperFn) -> HelperFn:
        if symbol in _KFUNCS:
            raise LookupError(f"{symbol} registered twice")
        _KFUNCS[symbol] = HelperImpl(symbol, fn, kind)
        _reset()
        return fn

    return deco


def _reset() -> None:
    kernel_calls.cache_clear()
    helper_ids.cache_clear()


@cache
def _func_owner() -> dict[str, int]:
    out: dict[str, int] = {}
    for h in H.helpers():
        for f in funcs_of(h):
            out.setdefault(f, h.id)
    return out


def impl_for_symbol(symbol: str) -> HelperImpl | None:
    if symbol in _EXPLICIT:
        return _EXPLICIT[symbol]
    if symbol in _KFUNCS:
        return _KFUNCS[symbol]
    hid = _func_owner().get(symbol)
    return _BY_HELPER.get(hid) if hid is not None else None


@cache
def kernel_calls() -> CallTable:
    """imm of a fixed-up call (as the xlated code holds it) -> implementation."""
    impls: dict[int, HelperImpl] = {}
    for sym, imm in sorted(CALL_IMMS.items()):
        impl = impl_for_symbol(sym)
        if impl is not None and imm != TAIL_CALL_IMM:
            impls[imm] = impl
    tc = _BY_HELPER.get(TAIL_CALL_IMM)
    if tc is not None:
        impls[TAIL_CALL_IMM] = tc
    return CallTable("kernel-6.18:" + ",".join(sorted(i.name for i in impls.values())), impls)


@cache
def helper_ids(prog_type: str) -> CallTable:
    """helper id -> implementation for ``prog_type`` (programs that kept their helper ids)."""
    impls: dict[int, HelperImpl] = {}
    for h in H.helpers():
        if h.proto is None:
            continue
        proto = h.proto_for(prog_type)
        impl = None
        if proto is not None and proto.func:
            impl = impl_for_symbol(proto.func)
        if impl is None:
            impl = _BY_HELPER.get(h.id)
        if impl is not None:
            impls[h.id] = impl
    return CallTable(f"ids-{prog_type}:" + ",".join(f"{k}={v.name}" for k, v in sorted(impls.items())),
                     impls)


def registered() -> dict[str, HelperImpl]:
    """Everything registered, by kernel symbol (helpers under their own name too)."""
    out = dict(_KFUNCS)
    out.update(_EXPLICIT)
    for hid, impl in _BY_HELPER.items():
        for f in funcs_of(H.by_id(hid)):  # type: ignore[arg-type]
            out.setdefault(f, impl)
    return out
