from pykernel.uapi.consts import MapType, map_type_name


def test_map_type_names_match_bpftool() -> None:
    assert map_type_name(MapType.LRU_PERCPU_HASH) == "lru_percpu_hash"
    assert map_type_name(99) == "type 99"
