"""Stream transactions into an embedded chain, printing each hash once it is committed.

Run by the kill -9 test in ``test_embedded_backend.py``::

    python embedded_writer.py DATA_DIR CHAIN_ID PRIVATE_KEY_HEX COUNT

Each line on stdout is the hash of a transaction that ``eth_sendRawTransaction`` has accepted,
i.e. one the backend promises has been durably committed. The test kills this process with
SIGKILL at some point in the stream and checks the promise.
"""

from __future__ import annotations

import sys
from pathlib import Path

from eth_account import Account

from ledger.backends.embedded import EmbeddedBackend

# Plain transfers to a fixed address: the cheapest transaction, so the stream is fast.
RECIPIENT = "0x" + "22" * 20


def main() -> None:
    data_dir, chain_id, private_key, count = sys.argv[1:]
    sender = Account.from_key(private_key)
    with EmbeddedBackend(Path(data_dir), chain_id=int(chain_id)) as backend:
        nonce_reply = backend.make_request("eth_getTransactionCount", [sender.address, "latest"])
        first_nonce = int(nonce_reply["result"], 16)
        for nonce in range(first_nonce, first_nonce + int(count)):
            signed = sender.sign_transaction(
                {
                    "chainId": int(chain_id),
                    "nonce": nonce,
                    "to": RECIPIENT,
                    "value": 0,
                    "gas": 21_000,
                    "maxFeePerGas": 0,
                    "maxPriorityFeePerGas": 0,
                }
            )
            reply = backend.make_request(
                "eth_sendRawTransaction", ["0x" + signed.raw_transaction.hex()]
            )
            if "result" not in reply:
                sys.exit(f"refused: {reply}")
            print(reply["result"], flush=True)


if __name__ == "__main__":
    main()
