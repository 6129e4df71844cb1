"""The usage texts of tc 6.1, byte for byte (all go to stderr)."""

TC_USAGE = (
    'Usage:\ttc [ OPTIONS ] OBJECT { COMMAND | help }\n'
    '\ttc [-force] -batch filename\n'
    'where  OBJECT := { qdisc | class | filter | chain |\n'
    '\t\t    action | monitor | exec }\n'
    '       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[aw] |\n'
    '\t\t    -o[neline] | -j[son] | -p[retty] | -c[olor]\n'
    '\t\t    -b[atch] [filename] | -n[etns] name | -N[umeric] |\n'
    '\t\t     -nm | -nam[es] | { -cf | -conf } path\n'
    '\t\t     -br[ief] }\n'
)

QDISC_USAGE = (
    'Usage: tc qdisc [ add | del | replace | change | show ] dev STRING\n'
    '       [ handle QHANDLE ] [ root | ingress | clsact | parent CLASSID ]\n'
    '       [ estimator INTERVAL TIME_CONSTANT ]\n'
    '       [ stab [ help | STAB_OPTIONS] ]\n'
    '       [ ingress_block BLOCK_INDEX ] [ egress_block BLOCK_INDEX ]\n'
    '       [ [ QDISC_KIND ] [ help | OPTIONS ] ]\n'
    '\n'
    '       tc qdisc { show | list } [ dev STRING ] [ QDISC_ID ] [ invisible ]\n'
    'Where:\n'
    'QDISC_KIND := { [p|b]fifo | tbf | prio | cbq | red | etc. }\n'
    'OPTIONS := ... try tc qdisc add <desired QDISC_KIND> help\n'
    'STAB_OPTIONS := ... try tc qdisc add stab help\n'
    'QDISC_ID := { root | ingress | handle QHANDLE | parent CLASSID }\n'
)

FILTER_USAGE = (
    'Usage: tc filter [ add | del | change | replace | show ] [ dev STRING ]\n'
    '       tc filter [ add | del | change | replace | show ] [ block BLOCK_INDEX ]\n'
    '       tc filter get dev STRING parent CLASSID protocol PROTO handle FILTERID pref PRIO FILTER_TYPE\n'
    '       tc filter get block BLOCK_INDEX protocol PROTO handle FILTERID pref PRIO FILTER_TYPE\n'
    '       [ pref PRIO ] protocol PROTO [ chain CHAIN_INDEX ]\n'
    '       [ estimator INTERVAL TIME_CONSTANT ]\n'
    '       [ root | ingress | egress | parent CLASSID ]\n'
    '       [ handle FILTERID ] [ [ FILTER_TYPE ] [ help | OPTIONS ] ]\n'
    '\n'
    '       tc filter show [ dev STRING ] [ root | ingress | egress | parent CLASSID ]\n'
    '       tc filter show [ block BLOCK_INDEX ]\n'
    'Where:\n'
    'FILTER_TYPE := { rsvp | u32 | bpf | fw | route | etc. }\n'
    'FILTERID := ... format depends on classifier, see there\n'
    'OPTIONS := ... try tc filter add <desired FILTER_KIND> help\n'
)

CLASS_USAGE = (
    'Usage: tc class [ add | del | change | replace | show ] dev STRING\n'
    '       [ classid CLASSID ] [ root | parent CLASSID ]\n'
    '       [ [ QDISC_KIND ] [ help | OPTIONS ] ]\n'
    '\n'
    '       tc class show [ dev STRING ] [ root | parent CLASSID ]\n'
    'Where:\n'
    'QDISC_KIND := { prio | cbq | etc. }\n'
    'OPTIONS := ... try tc class add <desired QDISC_KIND> help\n'
)

CHAIN_USAGE = (
    'Usage: tc chain [ add | del | get | show ] [ dev STRING ]\n'
    '       tc chain [ add | del | get | show ] [ block BLOCK_INDEX ] ]\n'
)

BPF_USAGE = (
    'Usage: ... bpf ...\n'
    '\n'
    'BPF use case:\n'
    ' bytecode BPF_BYTECODE\n'
    ' bytecode-file FILE\n'
    '\n'
    'eBPF use case:\n'
    ' object-file FILE [ section CLS_NAME ] [ export UDS_FILE ] [ verbose ] [ direct-action ] [ skip_hw | skip_sw ]\n'
    ' object-pinned FILE [ direct-action ] [ skip_hw | skip_sw ]\n'
    '\n'
    'Common remaining options:\n'
    ' [ action ACTION_SPEC ]\n'
    ' [ classid CLASSID ]\n'
    '\n'
    "Where BPF_BYTECODE := 's,c t f k,c t f k,c t f k,...'\n"
    'c,t,f,k and s are decimals; s denotes number of 4-tuples\n'
    '\n'
    'Where FILE points to a file containing the BPF_BYTECODE string,\n'
    'an ELF file containing eBPF map definitions and bytecode, or a\n'
    'pinned eBPF program.\n'
    '\n'
    'Where CLS_NAME refers to the section name containing the\n'
    "classifier (default 'classifier').\n"
    '\n'
    'Where UDS_FILE points to a unix domain socket file in order\n'
    'to hand off control of all created eBPF maps to an agent.\n'
    '\n'
    'ACTION_SPEC := ... look at individual actions\n'
    'NOTE: CLASSID is parsed as hexadecimal input.\n'
)

CLSACT_USAGE = "Usage: ... clsact\n"
INGRESS_USAGE = "Usage: ... ingress\n"
