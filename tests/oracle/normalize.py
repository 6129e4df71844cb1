"""Normalisation of bpftool output for comparison with the oracle fixtures.

The real kernel hands out ids, timestamps and durations that differ on every run
(and differ again in our simulation). `normalize(text)` rewrites exactly those
fields to fixed placeholders and leaves every other byte alone, so that

    normalize(our_stdout) == record["norm"]["stdout"]

is a byte-exact comparison of everything the real tool prints deterministically.
The fixtures store the raw output *and* this normalised copy (see
tests/fixtures/README.md). Placeholders:

    <ID>      an object id (prog, map, btf, link) in an id position
    <IDS>     a comma-separated id list (map_ids, prog_ids)
    <TIME>    loaded_at (text: ISO time, JSON: epoch seconds)
    <NS>      a test-run duration in nanoseconds

The rules are data (RULES) so that a test can also report which rule fired.
"""

from __future__ import annotations

import re

# (name, pattern, replacement); applied in order with re.MULTILINE
RULES: list[tuple[str, str, str]] = [
    # "2104: xdp  name ..." / "361: array  name ..." / "49: name <anon>  size ..." (show lines)
    ("show_id", r"^\d+(?=: )", "<ID>"),
    # cgroup show/tree rows start with the prog id padded to 8 columns
    ("loaded_at_text", r"loaded_at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", "loaded_at <TIME>"),
    ("loaded_at_json", r'("loaded_at": ?)\d+', r"\1<TIME>"),
    ("map_ids_text", r"(map_ids |prog_ids )\d+(?:,\d+)*", r"\1<IDS>"),
    ("ids_json", r'("(?:map_ids|prog_ids)": ?\[)\d+(?:,\d+)*', r"\1<IDS>"),
    ("btf_id_text", r"\bbtf_id \d+", "btf_id <ID>"),
    ("id_json", r'("(?:id|btf_id|prog_id|map_id|link_id|inner_map_id)": ?)\d+', r"\1<ID>"),
    ("xlated_map", r"map\[id:\d+\]", "map[id:<ID>]"),
    ("duration_text", r"(duration(?: \(average\))?: )\d+ns", r"\1<NS>ns"),
    ("duration_json", r'("duration": ?)\d+', r"\1<NS>"),
    ("run_time_text", r"(run_time_ns |run_cnt )\d+", r"\1<NS>"),
    ("run_time_json", r'("(?:run_time_ns|run_cnt)": ?)\d+', r"\1<NS>"),
    ("bpf_prog_sym", r"\bbpf_prog_[0-9a-f]{16}_", "bpf_prog_<TAG>_"),
    # `dump xlated ... opcodes`: an ld_imm64 of a map (src_reg 1 = map fd, 2 = map value)
    # carries the map id in its imm: "18 11 00 00 9e 04 00 00 ..." (text) ...
    ("ld_map_opcodes_text", r"^(\s+18 [12][0-9a-f] [0-9a-f]{2} [0-9a-f]{2})( [0-9a-f]{2}){4}",
     r"\1 <ID>"),
    # ... and {"code":"0x18","src_reg":"0x1",...,"imm":["0x9e","0x04","0x00","0x00",...]} (JSON)
    ("ld_map_opcodes_json",
     r'("code": ?"0x18",\s*"src_reg": ?"0x[12]"[^}]*?"imm": ?\[)"0x[0-9a-f]{2}","0x[0-9a-f]{2}",'
     r'"0x[0-9a-f]{2}","0x[0-9a-f]{2}"', r'\1"<ID>"'),
    ("verification_time", r"verification time \d+ usec", "verification time <NS> usec"),
]

_COMPILED = [(name, re.compile(pat, re.MULTILINE), repl) for name, pat, repl in RULES]


def normalize(text: str) -> str:
    """Replace the run-dependent fields of bpftool output by placeholders."""
    for _name, rx, repl in _COMPILED:
        text = rx.sub(repl, text)
    return text


def normalize_insns(raw: bytes) -> bytes:
    """Raw instructions (`dump xlated ... file F`): zero the imm of every map ld_imm64
    (code 0x18 with src_reg 1 or 2), which holds the map id."""
    out = bytearray(raw)
    i = 0
    while i + 8 <= len(out):
        if out[i] == 0x18 and (out[i + 1] >> 4) in (1, 2):
            out[i + 4:i + 8] = b"\0\0\0\0"
            i += 16
        else:
            i += 8
    return bytes(out)


def normalize_argv(argv: list[str], ids: dict[str, int]) -> list[str]:
    """Replace ids that were passed on the command line (`btf dump id 622`) by their
    symbolic name from `ids` (e.g. {"BTF_ID": 622} -> `btf dump id <BTF_ID>`)."""
    rev = {str(v): f"<{k}>" for k, v in ids.items()}
    out = []
    for i, a in enumerate(argv):
        if i > 0 and argv[i - 1] == "id" and a in rev:
            out.append(rev[a])
        else:
            out.append(a)
    return out


_TEXT_ENTRY = re.compile(r"^key:.*$", re.MULTILINE)


def unordered_entries(text: str) -> list[str]:
    """Entries of a `map dump` whose order is not defined (hash maps: the kernel seeds
    its hash with a random value per map). Works for the three dump styles:
    text without BTF (`key: .. value: ..` lines, per-CPU blocks), `-j` (a JSON array)
    and text with BTF (a pretty JSON array). Returns a sorted list of entry strings,
    so two dumps compare equal if they hold the same entries in any order."""
    import json

    s = text.strip()
    if s.startswith("["):
        try:
            data = json.loads(s)
        except ValueError:
            data = None
        if isinstance(data, list):
            return sorted(json.dumps(e, sort_keys=True) for e in data)
    # text dump: an entry starts at a line beginning with "key:"; keep the trailer
    blocks: list[str] = []
    cur: list[str] = []
    trailer: list[str] = []
    for line in text.splitlines():
        if line.startswith("key:"):
            if cur:
                blocks.append("\n".join(cur))
            cur = [line]
        elif line.startswith("Found "):
            trailer.append(line)
        elif cur:
            cur.append(line)
        else:
            trailer.append(line)
    if cur:
        blocks.append("\n".join(cur))
    return sorted(blocks) + trailer


def sort_pinned(text: str) -> str:
    """`-f` show lists an object's pins in bpffs walk order, which is not stable: sort
    the `\tpinned PATH` lines of each object, and the JSON "pinned" arrays."""
    text = re.sub(r'("pinned": ?\[)([^\]]*)(\])',
                  lambda m: m.group(1) + ",".join(sorted(m.group(2).split(","))) + m.group(3), text)
    out: list[str] = []
    run: list[str] = []
    for line in text.split("\n"):
        if line.startswith("\tpinned "):
            run.append(line)
            continue
        out += sorted(run)
        run = []
        out.append(line)
    out += sorted(run)
    return "\n".join(out)
