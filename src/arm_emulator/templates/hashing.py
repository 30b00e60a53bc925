"""uniqueString() and guid() exactly as Azure computes them, and the template hash.

uniqueString: the arguments joined with '-', hashed with ARM's 64-bit MurmurHash variant (two 32-bit lanes,
Microsoft ResourceStack constants) over the UTF-8 bytes, printed as 13 characters of lowercase base32.
guid: uuid5 in ARM's namespace over the same '-' join."""

from __future__ import annotations

import uuid

_MASK32 = 0xFFFFFFFF
_GUID_NAMESPACE = uuid.UUID("11fb06fb-712d-4ddd-98c7-e71bbd588830")
_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
_C1 = 0x239B961B
_C2 = 0xAB0E9789


def _rotl(value: int, bits: int) -> int:
    return ((value << bits) | (value >> (32 - bits))) & _MASK32


def _fmix(h: int) -> int:
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK32
    return h ^ (h >> 16)


def _mix_lane1(k: int) -> int:
    return (_rotl((k * _C1) & _MASK32, 15) * _C2) & _MASK32


def _mix_lane2(k: int) -> int:
    return (_rotl((k * _C2) & _MASK32, 17) * _C1) & _MASK32


def murmur64(data: bytes, seed: int = 0) -> int:
    length = len(data)
    h1 = h2 = seed
    index = 0
    while index + 7 < length:
        h1 ^= _mix_lane1(int.from_bytes(data[index : index + 4], "little"))
        h1 = (_rotl(h1, 19) + h2) & _MASK32
        h1 = (h1 * 5 + 0x561CCD1B) & _MASK32
        h2 ^= _mix_lane2(int.from_bytes(data[index + 4 : index + 8], "little"))
        h2 = (_rotl(h2, 13) + h1) & _MASK32
        h2 = (h2 * 5 + 0x0BCAA747) & _MASK32
        index += 8
    tail = length - index
    if tail > 0:
        h1 ^= _mix_lane1(int.from_bytes(data[index : index + min(4, tail)], "little"))
        if tail > 4:
            h2 ^= _mix_lane2(int.from_bytes(data[index + 4 : length], "little"))
    h1 ^= length & _MASK32
    h2 ^= length & _MASK32
    h1 = (h1 + h2) & _MASK32
    h2 = (h2 + h1) & _MASK32
    h1 = _fmix(h1)
    h2 = _fmix(h2)
    h1 = (h1 + h2) & _MASK32
    h2 = (h2 + h1) & _MASK32
    return (h2 << 32) | h1


def unique_string(*parts: str) -> str:
    value = murmur64("-".join(parts).encode("utf-8"))
    chars = []
    for _ in range(13):
        chars.append(_BASE32[value >> 59])
        value = (value << 5) & 0xFFFFFFFFFFFFFFFF
    return "".join(chars)


def arm_guid(*parts: str) -> str:
    return str(uuid.uuid5(_GUID_NAMESPACE, "-".join(parts)))


def template_hash(canonical_json: str) -> str:
    """ARM's templateHash is a decimal 64-bit hash; ours is murmur64 of the canonical template text."""
    return str(murmur64(canonical_json.encode("utf-8")))
