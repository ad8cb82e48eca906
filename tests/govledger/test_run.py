"""``govledger run`` (what ``make run`` starts) and signing in as a person does: the world is
seeded once, every actor it prints can sign in with its key file, a second run reuses it; a
department's key exported as an encrypted PEM is read by OpenSSL, whose SM2 signature of a
sign-in challenge the server accepts."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import httpx

from govledger.cli.run import welcome
from govledger.cli.world import AGENCIES, HOLDINGS, MARKET_REGULATOR, TEA_COMPANY, World, load_world
from govledger.settings import Settings
from sm_crypto import SM2PublicKey
from tests.govledger.server import cli_environment, serving
from tests.govledger.test_chain_cli import GOVLEDGER


def cli(data_dir: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GOVLEDGER), *map(str, args)],
        env=cli_environment(data_dir),
        cwd=data_dir.parent,
        capture_output=True,
        text=True,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def openssl(*args: str | Path) -> bytes:
    result = subprocess.run(["openssl", *map(str, args)], capture_output=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_run_seeds_a_world_once_and_every_actor_signs_in(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = tmp_path / "first.out"
    with serving(data_dir, command=("run",), stdout=first) as url:
        world = load_world(Settings(data_dir=data_dir))
        assert world is not None
        assert [agency["code"] for agency in world.agencies] == [a.code for a in AGENCIES]
        for agency in world.agencies:
            key_file = Path(agency["key_file"])
            assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
            signed_in = json.loads(
                ok(cli(data_dir, "login", "--key", key_file, "--url", url, "--json"))
            )
            assert signed_in["department"] == agency["code"]
        assert len(world.holders) == len(HOLDINGS)
        for holder in world.holders:
            token = Path(holder["token_file"]).read_text(encoding="utf-8").strip()
            own = httpx.get(
                f"{url}/v1/holder/licences/{holder['licence_id']}",
                headers={"Authorization": f"Bearer {token}"},
            )
            assert own.status_code == 200, own.text
            assert own.json()["status"] == "valid"
        assert httpx.get(f"{url}/readyz").json()["status"] == "ready"
        # As a department from the keystore, the token exported for curl.
        header = tmp_path / "token.txt"
        code = MARKET_REGULATOR.code
        ok(cli(data_dir, "login", "--department", code, "--url", url, "--export", header))
        assert stat.S_IMODE(header.stat().st_mode) == 0o600
        name, _, value = header.read_text(encoding="utf-8").strip().partition(": ")
        listed = httpx.get(f"{url}/v1/licences", headers={name: value})
        assert listed.status_code == 200, listed.text
        assert listed.json()["count"] == 2
        exported_key_opens_in_openssl_and_signs_in(tmp_path, data_dir, url)
    recorded = (data_dir / "world" / "world.json").read_bytes()
    welcome = first.read_text(encoding="utf-8")
    assert "seeded a new world" in welcome
    assert f"Portal     {url}/" in welcome
    assert f"API docs   {url}/docs" in welcome
    for agency in world.agencies:
        assert f"govledger login --key {agency['key_file']}" in welcome

    second = tmp_path / "second.out"
    with serving(data_dir, command=("run",), stdout=second) as url:
        assert httpx.get(f"{url}/v1/departments").json()["count"] == len(AGENCIES)
        token = ok(cli(data_dir, "login", "--department", code, "--url", url)).strip()
        header = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{url}/v1/licences", headers=header).json()["count"] == 2
    assert "reusing the world seeded earlier" in second.read_text(encoding="utf-8")
    assert (data_dir / "world" / "world.json").read_bytes() == recorded


def exported_key_opens_in_openssl_and_signs_in(tmp_path: Path, data_dir: Path, url: str) -> None:
    """A department's key exported as an encrypted PEM: OpenSSL reads it, and its signature of
    a sign-in challenge gets a token; ``login --key`` takes it with the passphrase."""
    code = MARKET_REGULATOR.code
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("correct horse battery staple\n", encoding="utf-8")
    pem = tmp_path / "market-regulator.pem"
    ok(
        cli(
            data_dir,
            "department",
            "export-key",
            code,
            "--out",
            pem,
            "--passphrase-file",
            passphrase,
        )
    )
    assert pem.read_text(encoding="ascii").startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    # Written once: a second export does not overwrite it.
    again = cli(
        data_dir,
        "department",
        "export-key",
        code,
        "--out",
        pem,
        "--passphrase-file",
        passphrase,
    )
    assert again.returncode == 5
    assert again.stderr.startswith("(Conflict)")

    department = httpx.get(f"{url}/v1/departments/{code}").json()
    public = openssl("pkey", "-in", pem, "-passin", f"file:{passphrase}", "-pubout")
    assert SM2PublicKey.from_pem(public).to_bytes().hex() == department["sm2_public_key"]
    assert department["key_history"][0]["sm2_public_key"] == department["sm2_public_key"]

    challenge = httpx.post(f"{url}/v1/auth/challenge", json={"department_code": code}).json()
    message = tmp_path / "challenge.txt"
    message.write_bytes(challenge["message"].encode("utf-8"))
    signature = openssl(
        "pkeyutl",
        "-sign",
        "-rawin",
        "-digest",
        "sm3",
        "-in",
        message,
        "-inkey",
        pem,
        "-passin",
        f"file:{passphrase}",
        "-pkeyopt",
        "distid:1234567812345678",
    )
    token = httpx.post(
        f"{url}/v1/auth/token",
        json={"challenge_id": challenge["challenge_id"], "signature": signature.hex()},
    )
    assert token.status_code == 200, token.text

    signed_in = cli(
        data_dir, "login", "--key", pem, "--passphrase-file", passphrase, "--url", url, "--json"
    )
    assert json.loads(ok(signed_in))["department"] == code
    wrong = tmp_path / "wrong"
    wrong.write_text("not it\n", encoding="utf-8")
    refused = cli(data_dir, "login", "--key", pem, "--passphrase-file", wrong, "--url", url)
    assert refused.returncode == 3
    assert refused.stderr.startswith("(InvalidInput)")
    assert len(refused.stderr.splitlines()) == 1

    seals = httpx.get(f"{url}/v1/departments/{code}/seals").json()
    assert seals["count"] == 1
    record = seals["data"][0]
    assert record["on_chain"]["owner_code"] == code
    assert record["on_chain"]["revoked_at"] is None
    unknown = httpx.get(f"{url}/v1/departments/{TEA_COMPANY}")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not-found")


def test_login_needs_a_department_or_a_key_and_a_server(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    missing = cli(data_dir, "login")
    assert missing.returncode == 3
    port = 9  # discard: nothing listens
    unreachable = cli(
        data_dir,
        "login",
        "--department",
        MARKET_REGULATOR.code,
        "--url",
        f"http://127.0.0.1:{port}",
    )
    assert unreachable.returncode == 8
    assert unreachable.stderr.startswith("(ServerUnreachable)")


def test_the_readme_shows_what_run_prints() -> None:
    holder = {"name": "王示范", "licence_name": "居住证", "licence_id": "L", "token_file": "T"}
    world = World(Path(".govledger/world"), [], [holder], "business-register", 1)
    printed = welcome(Settings(), world, "http://127.0.0.1:8000", seeded=True).splitlines()
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    shown = [line for line in printed if line.startswith(("  Portal", "  API docs", "  Health"))]
    assert len(shown) == 3
    assert "\n".join(shown) in readme
    assert "make run    #" in readme
    assert "make test   #" in readme
