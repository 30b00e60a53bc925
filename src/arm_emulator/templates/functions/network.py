"""CIDR functions (parseCidr, cidrSubnet, cidrHost) and URI functions (buildUri, parseUri)."""

from __future__ import annotations

import ipaddress
import urllib.parse
from typing import Any

from ..evaluator import Context, function
from ..values import lookup
from . import _checks as c


def _network(name: str, value: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(c.text(name, value), strict=False)
    except ValueError:
        raise c.fail(name, f"the value '{value}' is not a valid CIDR notation.") from None


@function("parseCidr", 1)
def _parse_cidr(ctx: Context, value: Any) -> dict:
    network = _network("parseCidr", value)
    result: dict[str, Any] = {"network": str(network.network_address), "netmask": str(network.netmask)}
    if network.version == 4:
        result["broadcast"] = str(network.broadcast_address)
        if network.prefixlen >= 31:
            first, last = network.network_address, network.broadcast_address
        else:
            first, last = network.network_address + 1, network.broadcast_address - 1
    else:
        first, last = network.network_address, network.broadcast_address
    result["firstUsable"] = str(first)
    result["lastUsable"] = str(last)
    result["cidr"] = network.prefixlen
    return result


@function("cidrSubnet", 3)
def _cidr_subnet(ctx: Context, value: Any, new_prefix: Any, index: Any) -> str:
    network = _network("cidrSubnet", value)
    prefix = c.integer("cidrSubnet", new_prefix)
    index = c.integer("cidrSubnet", index)
    if prefix < network.prefixlen or prefix > network.max_prefixlen:
        raise c.fail(
            "cidrSubnet", f"the new CIDR '{prefix}' must be between {network.prefixlen} and {network.max_prefixlen}."
        )
    size = 1 << (network.max_prefixlen - prefix)
    if index < 0 or index >= 1 << (prefix - network.prefixlen):
        raise c.fail("cidrSubnet", f"the subnet index '{index}' is out of range.")
    start = network.network_address + index * size
    return f"{start}/{prefix}"


@function("cidrHost", 2)
def _cidr_host(ctx: Context, value: Any, index: Any) -> str:
    network = _network("cidrHost", value)
    index = c.integer("cidrHost", index)
    usable = network.num_addresses - (2 if network.version == 4 and network.prefixlen < 31 else 1)
    if index < 0 or index >= usable:
        raise c.fail("cidrHost", f"the host index '{index}' is out of range.")
    return str(network.network_address + index + 1)


@function("buildUri", 1)
def _build_uri(ctx: Context, value: Any) -> str:
    parts = c.obj("buildUri", value)

    def get(key: str) -> Any:
        return lookup(parts, key)[1]

    scheme = get("scheme") or "https"
    host = c.text("buildUri", get("host") or "")
    port = get("port")
    netloc = host if port in (None, -1) else f"{host}:{port}"
    path = get("path") or "/"
    query = get("query") or ""
    if query and not query.startswith("?"):
        query = "?" + query
    if not path.startswith("/"):
        path = "/" + path
    return f"{scheme}://{netloc}{path}{query}"


@function("parseUri", 1)
def _parse_uri(ctx: Context, value: Any) -> dict:
    text = c.text("parseUri", value)
    parsed = urllib.parse.urlsplit(text)
    if not parsed.scheme or not parsed.netloc:
        raise c.fail("parseUri", f"the value '{text}' is not an absolute URI.")
    default_ports = {"http": 80, "https": 443, "ftp": 21}
    port = parsed.port if parsed.port is not None else default_ports.get(parsed.scheme, -1)
    return {
        "scheme": parsed.scheme,
        "host": parsed.hostname or "",
        "port": port,
        "path": parsed.path or "/",
        "query": f"?{parsed.query}" if parsed.query else "",
    }
