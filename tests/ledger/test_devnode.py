"""The Anvil runner starts a real node, answers JSON-RPC, and stops."""

from __future__ import annotations

import json
import urllib.request

from ledger.devnode import AnvilNode


def _chain_id(url: str) -> int:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as reply:
        return int(json.load(reply)["result"], 16)


def test_anvil_answers_with_its_chain_id(anvil: AnvilNode) -> None:
    assert _chain_id(anvil.url) == anvil.chain_id


def test_stopped_node_releases_its_port() -> None:
    node = AnvilNode(chain_id=4242).start()
    assert _chain_id(node.url) == 4242
    node.stop(kill=True)
    assert node._process is None
