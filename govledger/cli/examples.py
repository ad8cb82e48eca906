"""One example per command, shown at the end of its ``--help`` (kept here, in one table, so a
test can check that no command is without one). The codes are those of the world
``govledger run`` seeds (docs/user-guide.md)."""

from __future__ import annotations

import typer

_PSB = "11990100MB0000011U"
_MARKET = "11990100MB0000012Y"
_CIVIL = "11990100MB00000132"
_BUREAU = "11990100MB00000145"
_LICENCE = f"1.2.156.3005.2.{_MARKET}001.{_MARKET}.0000000001.001.3"

EXAMPLES: dict[str, str] = {
    "demo": "govledger demo",
    "serve": "govledger serve --port 8000",
    "run": "govledger run --port 8000",
    "login": "govledger login --key .govledger/world/keys/market-regulator.pem --export h.txt",
    "crypto keygen": "govledger crypto keygen --out key.pem",
    "crypto pubkey": "govledger crypto pubkey key.pem --hex",
    "crypto sign": "govledger crypto sign document.json --key key.pem --out document.sig",
    "crypto verify": (
        "govledger crypto verify document.json --pubkey pub.pem --signature document.sig"
    ),
    "crypto sm3": "govledger crypto sm3 document.json",
    "chain init": "govledger chain init --members 3 --threshold 2",
    "chain status": "govledger chain status --json",
    "department register": (
        f"govledger department register {_CIVIL} --name 示例市民政局 "
        "--roles VERIFIER,DATA_REQUESTER"
    ),
    "department rekey": f"govledger department rekey {_PSB}",
    "department set-roles": f"govledger department set-roles {_PSB} --roles ISSUER,SEAL_ADMIN",
    "department suspend": f"govledger department suspend {_PSB} --reason 1",
    "department reinstate": f"govledger department reinstate {_PSB} --reason 2",
    "department show": f"govledger department show {_PSB} --json",
    "department list": "govledger department list",
    "department export-key": f"govledger department export-key {_MARKET} --out market.pem",
    "governance approve": "govledger governance approve 7 --member committee-2",
    "governance cancel": "govledger governance cancel 7",
    "governance set-lifetime": "govledger governance set-lifetime 604800",
    "governance show": "govledger governance show 7",
    "bench crypto": "govledger bench crypto --seconds 2",
    "bench chain": "govledger bench chain --count 20",
    "bench gateway": "govledger bench gateway --requests 2000",
    "bench licences": "govledger bench licences --count 40000",
    "dataset fetch": (
        f"govledger dataset fetch business-register --grant 1 --fields uscc,name,status "
        f"--as {_CIVIL}"
    ),
    "dataset revoke-grant": "govledger dataset revoke-grant 1 --reason 3",
    "audit export": "govledger audit export --output access-log.json",
    "audit verify": "govledger audit verify access-log.json",
    "audit operator": f"govledger audit operator {_BUREAU}",
    "licence issue": f"govledger licence issue examples/business-licence.json --as {_MARKET}",
    "licence show": f"govledger licence show {_LICENCE}",
    "licence verify": "govledger licence verify presentation.json",
    "licence suspend": f"govledger licence suspend {_LICENCE} --as {_MARKET} --reason 检查",
    "licence reinstate": f"govledger licence reinstate {_LICENCE} --as {_MARKET}",
    "licence withdraw": f"govledger licence withdraw {_LICENCE} --as {_MARKET}",
    "licence cancel": f"govledger licence cancel {_LICENCE} --as {_MARKET}",
    "licence revoke": f"govledger licence revoke {_LICENCE} --as {_MARKET} --reason-code 7",
    "licence renew": (f"govledger licence renew {_LICENCE} --as {_MARKET} --valid-from 2031-01-15"),
    "licence transfer": (
        f"govledger licence transfer {_LICENCE} --as {_MARKET} --holder-name 示例市新茶业有限公司 "
        "--holder-id-type 001 --holder-id-number 91990100MA0002104X"
    ),
    "licence batches": f"govledger licence batches --as {_MARKET} --state refused",
    "licence retry-batch": f"govledger licence retry-batch 3 --as {_MARKET}",
    "licence history": f"govledger licence history {_LICENCE}",
    "licence present": (
        f"govledger licence present {_LICENCE} --fields licence_name,holder_name "
        "--out presentation.json --qr presentation.png"
    ),
    "licence holder-token": f"govledger licence holder-token {_LICENCE} --as {_MARKET}",
    "seal create": f"govledger seal create --as {_MARKET} --name 行政审批专用章",
    "seal revoke": f"govledger seal revoke SEAL_HASH --as {_MARKET} --reason-code 1",
    "seal list": f"govledger seal list --owner {_MARKET}",
}


def add_examples(app: typer.Typer, prefix: tuple[str, ...] = ()) -> None:
    """Put each command's example from :data:`EXAMPLES` at the end of its help."""
    for info in app.registered_commands:
        assert info.callback is not None
        name = info.name or info.callback.__name__.replace("_", "-")
        example = EXAMPLES.get(" ".join((*prefix, name)))
        if example is not None:
            info.epilog = f"Example: {example}"
    for group in app.registered_groups:
        assert group.typer_instance is not None
        # A service's commands are added without a name of their own: their groups are ours.
        group_prefix = (*prefix, group.name) if isinstance(group.name, str) else prefix
        add_examples(group.typer_instance, group_prefix)
