"""The small world ``govledger run`` seeds once into a data dir, so a person finds something to
look at and someone to be.

Four departments of a fictional city (示例市, region code 990100), registered through the
governance committee: a public security bureau issuing residence permits, a market regulator
issuing business licences and publishing the business register, a civil affairs bureau that is
granted part of that register, and a data bureau that audits and anchors the access log. The
issuers get seals; three residents and two businesses get licences; the register is published
and a request for it approved. Every code passes its check character; every name is invented.

What was seeded is recorded in ``world/world.json`` under the data dir, written last: a data
dir that has it is seeded and is reused as it is. Each department's current SM2 key is written
to ``world/keys/<name>.pem`` (unencrypted PKCS#8, mode 0600, as ``govledger login --key`` and
the portal's sign-in read it), each holder's token to ``world/holders/<name>.token``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from govledger.app import default_services
from govledger.committee import committee_signers
from govledger.department_keys import department_key_name
from govledger.departments import register_department, set_log_operator
from govledger.deployment import init_chain, open_chain
from govledger.files import write_durably
from govledger.keystore import open_keystore
from govledger.platform import PlatformContext, ServicePlugin, open_platform
from govledger.settings import Settings
from ledger.contracts.values import Role, ShareClass
from licence_service.domain.ids import resident_id_check_character, uscc_check_character
from licence_service.service import LicenceRequest, LicenceService
from sharing_gateway.api.deps import GatewayState
from sharing_gateway.domain.records import Field, UploadFormat
from sharing_gateway.plugin import GatewayPlugin
from sharing_gateway.settings import GatewaySettings

WORLD_DIR = "world"
WORLD_FILE = "world.json"
WORLD_FORMAT = "govledger-world-v1"
COMPANY_CODE_TYPE = "001"  # holder identity type: unified social credit code
RESIDENT_ID_TYPE = "111"  # holder identity type: resident identity card

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    """The default progress reporter: says nothing."""


def agency_code(serial: int) -> str:
    """A government agency's credit code in the fictional region 990100 (category 11)."""
    first17 = f"11990100MB{serial:07d}"
    return first17 + uscc_check_character(first17)


def company_code(serial: int) -> str:
    """A company's credit code in the fictional region 990100 (category 91)."""
    first17 = f"91990100MA{serial:07d}"
    return first17 + uscc_check_character(first17)


def resident_id(birth: str, sequence: int) -> str:
    """A resident ID number registered in the fictional region 990102, born ``birth``."""
    first17 = f"990102{birth}{sequence:03d}"
    return first17 + resident_id_check_character(first17)


@dataclass(frozen=True)
class Agency:
    """A department of the world; ``key`` names its key file."""

    key: str
    code: str
    name: str
    does: str
    roles: tuple[Role, ...]


PUBLIC_SECURITY = Agency(
    "public-security",
    agency_code(11),
    "示例市公安局",
    "public security bureau: issues residence permits",
    (Role.ISSUER, Role.SEAL_ADMIN, Role.VERIFIER),
)
MARKET_REGULATOR = Agency(
    "market-regulator",
    agency_code(12),
    "示例市市场监督管理局",
    "market regulator: issues business licences, publishes the business register",
    (Role.ISSUER, Role.SEAL_ADMIN, Role.DATA_PROVIDER),
)
CIVIL_AFFAIRS = Agency(
    "civil-affairs",
    agency_code(13),
    "示例市民政局",
    "civil affairs bureau: verifies licences, granted part of the business register",
    (Role.VERIFIER, Role.DATA_REQUESTER),
)
DATA_BUREAU = Agency(
    "data-bureau",
    agency_code(14),
    "示例市大数据管理局",
    "data bureau: audits the access log and anchors it on chain",
    (Role.AUDITOR,),
)
AGENCIES = (PUBLIC_SECURITY, MARKET_REGULATOR, CIVIL_AFFAIRS, DATA_BUREAU)

RESIDENCE_PERMIT_TYPE = PUBLIC_SECURITY.code + "001"
BUSINESS_LICENCE_TYPE = MARKET_REGULATOR.code + "001"

TEA_COMPANY = company_code(2101)
SOFTWARE_COMPANY = company_code(2102)


def residence_permit(number: int, name: str, id_number: str, address: str) -> dict[str, Any]:
    return {
        "licence_name": "居住证",
        "licence_number": f"9901020{number:07d}",
        "type_code": RESIDENCE_PERMIT_TYPE,
        "issue_date": "2026-03-02",
        "valid_from": "2026-03-02",
        "valid_to": "2031-03-01",
        "holder_name": name,
        "holder_id_type": RESIDENT_ID_TYPE,
        "holder_id_number": id_number,
        "surface": {"居住地址": address, "签发机关": PUBLIC_SECURITY.name},
    }


def business_licence(name: str, code: str, representative: str, scope: str) -> dict[str, Any]:
    return {
        "licence_name": "营业执照",
        "licence_number": code,
        "type_code": BUSINESS_LICENCE_TYPE,
        "issue_date": "2026-01-15",
        "valid_from": "2026-01-15",
        "holder_name": name,
        "holder_id_type": COMPANY_CODE_TYPE,
        "holder_id_number": code,
        "surface": {
            "类型": "有限责任公司",
            "法定代表人": representative,
            "注册资本": "壹佰万元整",
            "住所": "示例市青禾区示范路88号",
            "经营范围": scope,
            "登记机关": MARKET_REGULATOR.name,
        },
    }


# (holder key, issuer, licence request): the holders of the world and their licences.
HOLDINGS: tuple[tuple[str, Agency, dict[str, Any]], ...] = (
    (
        "wang-shifan",
        PUBLIC_SECURITY,
        residence_permit(1, "王示范", resident_id("19880412", 31), "示例市青禾区示范路8号"),
    ),
    (
        "chen-yanshi",
        PUBLIC_SECURITY,
        residence_permit(2, "陈演示", resident_id("19950723", 42), "示例市青禾区样例街21号"),
    ),
    (
        "li-yangli",
        PUBLIC_SECURITY,
        residence_permit(3, "李样例", resident_id("20010109", 57), "示例市白沙区测试巷3号"),
    ),
    (
        "qinghe-tea",
        MARKET_REGULATOR,
        business_licence(
            "示例市青禾茶业有限公司", TEA_COMPANY, "王示范", "茶叶销售、预包装食品销售"
        ),
    ),
    (
        "yanshi-software",
        MARKET_REGULATOR,
        business_licence(
            "示例市演示软件有限公司",
            SOFTWARE_COMPANY,
            "陈演示",
            "软件开发、信息技术咨询服务",
        ),
    ),
)

REGISTER_ID = "business-register"
REGISTER_TITLE = "示例市市场主体登记信息 (business register)"
REGISTER_FIELDS = (
    Field("uscc", "string"),
    Field("name", "string"),
    Field("legal_representative", "string"),
    Field("status", "string"),
    Field("established", "date"),
    Field("registered_capital", "integer"),
)
REGISTER_CSV = "\n".join(
    (
        "uscc,name,legal_representative,status,established,registered_capital",
        f"{TEA_COMPANY},示例市青禾茶业有限公司,王示范,存续,2021-05-18,100",
        f"{SOFTWARE_COMPANY},示例市演示软件有限公司,陈演示,存续,2023-11-02,500",
        f"{company_code(2103)},示例市样例养老服务有限公司,李样例,存续,2019-08-30,50",
        f"{company_code(2104)},示例市测试餐饮管理有限公司,赵测试,注销,2015-03-12,30",
        "",
    )
)
REQUESTED_FIELDS = ("uscc", "name", "status")


@dataclass(frozen=True)
class World:
    """What a seeded data dir holds, as ``world.json`` records it."""

    directory: Path
    agencies: list[dict[str, Any]]
    holders: list[dict[str, Any]]
    dataset_id: str
    grant_id: int

    def to_json(self) -> dict[str, Any]:
        return {
            "format": WORLD_FORMAT,
            "agencies": self.agencies,
            "holders": self.holders,
            "dataset_id": self.dataset_id,
            "grant_id": self.grant_id,
        }


def world_dir(settings: Settings) -> Path:
    return settings.data_dir / WORLD_DIR


def load_world(settings: Settings) -> World | None:
    """The world recorded in the data dir, or None when it has not been seeded."""
    path = world_dir(settings) / WORLD_FILE
    if not path.is_file():
        return None
    document = json.loads(path.read_text(encoding="utf-8"))
    return World(
        world_dir(settings),
        document["agencies"],
        document["holders"],
        document["dataset_id"],
        int(document["grant_id"]),
    )


def world_services(services: Sequence[ServicePlugin] | None = None) -> tuple[ServicePlugin, ...]:
    """The services with the data bureau anchoring the access log (unless the environment
    names another operator)."""
    gateway = GatewaySettings()
    if gateway.operator_code is None:
        gateway = gateway.model_copy(update={"operator_code": DATA_BUREAU.code})
    return tuple(
        replace(plugin, settings=gateway) if isinstance(plugin, GatewayPlugin) else plugin
        for plugin in (default_services() if services is None else services)
    )


def ensure_world(settings: Settings, progress: Progress = _quiet) -> tuple[World, bool]:
    """The data dir's world, seeded first if it has none; True when seeded now."""
    existing = load_world(settings)
    if existing is not None:
        return existing, False
    world_dir(settings).mkdir(mode=0o700, parents=True, exist_ok=True)
    _register_agencies(settings, progress)
    with _running_services(settings) as (context, service, gateway):
        for agency in (PUBLIC_SECURITY, MARKET_REGULATOR):
            if not service.seals(agency.code):
                progress(f"seal of {agency.name}")
                service.create_seal(
                    agency.code,
                    name=f"{agency.name}行政审批专用章",
                    valid_end=datetime.now(UTC) + timedelta(days=3650),
                )
        holders = []
        for key, agency, request in HOLDINGS:
            issued = service.issue(agency.code, LicenceRequest.model_validate(request))
            licence_id = issued.state.licence.licence_id
            progress(f"{request['licence_name']} for {request['holder_name']}: {licence_id}")
            assert issued.holder_token is not None
            token_file = _private_file(
                world_dir(settings) / "holders" / f"{key}.token", issued.holder_token + "\n"
            )
            holders.append(
                {
                    "key": key,
                    "name": request["holder_name"],
                    "licence_name": request["licence_name"],
                    "licence_id": licence_id,
                    "issuer": agency.code,
                    "token_file": str(token_file),
                }
            )
        service.anchor_due(everything=True)
        grant_id = _share_register(gateway, progress)
        agencies = [_write_key(settings, context, agency) for agency in AGENCIES]
    world = World(world_dir(settings), agencies, holders, REGISTER_ID, grant_id)
    # Written last: its presence means the whole world is there.
    _private_file(world.directory / WORLD_FILE, json.dumps(world.to_json(), indent=2) + "\n")
    return world, True


def _register_agencies(settings: Settings, progress: Progress) -> None:
    keystore = open_keystore(settings)
    if init_chain(settings, keystore).deployed:
        progress("deployed the contracts with a governance committee of 3 (2 must approve)")
    with open_chain(settings) as chain:
        registries = chain.registries
        signers = committee_signers(keystore, registries)
        for agency in AGENCIES:
            if not registries.departments.is_registered(agency.code):
                progress(f"registering {agency.code} {agency.name} through the committee")
                register_department(
                    registries, keystore, signers, agency.code, name=agency.name, roles=agency.roles
                )
        if not registries.audit.is_log_operator(DATA_BUREAU.code):
            set_log_operator(registries, signers, DATA_BUREAU.code)


@contextmanager
def _running_services(
    settings: Settings,
) -> Iterator[tuple[PlatformContext, LicenceService, GatewayState]]:
    """The platform with every service open, as the server runs them."""
    plugins = world_services()
    with ExitStack() as stack:
        context = stack.enter_context(open_platform(settings, plugins))
        states = {plugin.name: stack.enter_context(plugin.open(context)) for plugin in plugins}
        licences = next(s for s in states.values() if isinstance(s, LicenceService))
        gateway = next(s for s in states.values() if isinstance(s, GatewayState))
        yield context, licences, gateway


def _share_register(state: GatewayState, progress: Progress) -> int:
    gateway = state.gateway
    progress(f"dataset {REGISTER_ID}: registered and published by {MARKET_REGULATOR.name}")
    gateway.register_dataset(
        MARKET_REGULATOR.code,
        dataset_id=REGISTER_ID,
        title=REGISTER_TITLE,
        share_class=ShareClass.CONDITIONAL,
        fields=REGISTER_FIELDS,
    )
    gateway.publish_version(
        MARKET_REGULATOR.code, REGISTER_ID, REGISTER_CSV.encode("utf-8"), UploadFormat.CSV
    )
    request = gateway.request_access(
        CIVIL_AFFAIRS.code,
        dataset_id=REGISTER_ID,
        fields=REQUESTED_FIELDS,
        purpose="养老服务机构备案前核验其市场主体登记状态",
        use_scenario="养老服务机构备案",
        scenario_code=1,
        expires_at=gateway.clock() + timedelta(days=180),
        max_uses=100,
    )
    gateway.approve(MARKET_REGULATOR.code, request.grant_id)
    progress(
        f"grant {request.grant_id}: {CIVIL_AFFAIRS.name} may read {', '.join(REQUESTED_FIELDS)}"
    )
    return request.grant_id


def _write_key(settings: Settings, context: PlatformContext, agency: Agency) -> dict[str, Any]:
    department = context.chain.registries.departments.get_department(agency.code)
    keys = context.keystore.load(department_key_name(agency.code, department.key_version))
    path = world_dir(settings) / "keys" / f"{agency.key}.pem"
    _private_file(path, keys.sm2.to_pem().decode("ascii"))
    return {
        "key": agency.key,
        "code": agency.code,
        "name": agency.name,
        "does": agency.does,
        "roles": [role.name for role in agency.roles],
        "key_file": str(path),
    }


def _private_file(path: Path, text: str) -> Path:
    """``text`` in ``path``, readable by its owner only (in a directory only they can enter)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_durably(path, text.encode("utf-8"), replace=True)
    return path
